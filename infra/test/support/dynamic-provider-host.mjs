// Runs a serialised dynamic provider the way Pulumi's dynamic-provider host does (@pulumi/pulumi/cmd/dynamic-provider:
// `require("require-from-string")(props.__provider).handler()`), in a fresh Node process that has none of the program's
// modules loaded, then drives it through check -> create -> diff -> update -> diff -> delete.
// Plain JavaScript on purpose: nothing of the program may be compiled or imported here.
// Usage (cwd = the directory Pulumi runs plugins in, infra/): node dynamic-provider-host.mjs <job.json>
//   job = { provider: "<__provider text>", inputs: {...}, updatedInputs: {...} }  -> prints one JSON line.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// The host resolves @pulumi/pulumi (and so require-from-string) from its working directory.
const fromCwd = createRequire(path.join(process.cwd(), 'dynamic-provider-host'));
const hostDir = path.dirname(fromCwd.resolve('@pulumi/pulumi/cmd/dynamic-provider'));
const requireFromString = createRequire(path.join(hostDir, 'index.js'))('require-from-string');

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const provider = requireFromString(job.provider).handler();
const steps = {};
const checked = await provider.check({}, job.inputs);
steps.check = checked.failures ?? [];
const created = await provider.create(checked.inputs);
steps.create = { id: created.id, applied: created.outs.applied };
const rechecked = await provider.check(created.outs, job.updatedInputs);
steps.diff = await provider.diff(created.id, created.outs, rechecked.inputs);
const updated = await provider.update(created.id, created.outs, rechecked.inputs);
steps.update = { applied: updated.outs.applied };
steps.diffAfterUpdate = await provider.diff(created.id, updated.outs, rechecked.inputs);
try {
  await provider.check(updated.outs, {
    ...job.updatedInputs,
    migrations: job.updatedInputs.migrations.map((m) => ({ ...m, sha256: 'edited' })),
  });
  steps.editedCheck = 'accepted';
} catch (error) {
  steps.editedCheck = String(error.message);
}
await provider.delete(created.id, updated.outs);
steps.delete = 'ok';
console.log(JSON.stringify(steps));
