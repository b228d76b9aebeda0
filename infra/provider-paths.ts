// File paths handed to resource providers: relative to the provider's working directory, so the state is the same
// on every machine and checkout (an absolute path would differ between a laptop and CI and re-upload both Workers).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The working directory Pulumi starts resource provider plugins in: the directory of Pulumi.yaml's `main`
 * (`infra/`), not the project root. pulumi/pulumi `pkg/engine/project.go` getPwdMain: "if main is a file,
 * pwd = filepath.Dir(main)"; `pkg/engine/deployment.go` builds the plugin context with that pwd, and
 * `sdk/go/common/resource/plugin/plugin.go` ExecPlugin sets `cmd.Dir = pwd` (also run.js `--pwd` for the program).
 * terraform-provider-cloudflare opens `content_file` as given (os.Open), so a relative path resolves from here.
 * This file lives in infra/ beside index.ts; a test checks that against Pulumi.yaml.
 */
export const providerWorkingDir: string = path.dirname(fileURLToPath(import.meta.url));

/** `file` relative to the provider's working directory, with `/` separators (os.Open accepts them on every OS). */
export function providerRelativePath(file: string, workingDir: string = providerWorkingDir): string {
  return path.relative(workingDir, path.resolve(file)).split(path.sep).join('/');
}
