// Lets Node run this repository's TypeScript as it is: `npm run dev` starts as `node --import <this> scripts/dev.ts`.
//
// Node 22.18+ strips types by itself (the pinned node@22 in devDependencies is such a Node), so the local stack needs
// no compiler in front of it. tsx would compile every file with esbuild on its first load: on a fresh clone that was
// about 0.3 s of the first `npm run dev`. What Node does not do is map the imports: they name the `.js` file a
// compiler would emit (TypeScript's convention, kept so the same sources also build with tsc and bundlers), and there
// is no such file. This hook resolves a relative `.js` import from a `.ts` module to the `.ts` beside it, when that
// exists and the `.js` does not.
//
// What stripping cannot run fails to load, so the Node-side code keeps to erasable syntax (tsc checks it:
// `erasableSyntaxOnly` in tsconfig.json) and imports types with `import type` (biome checks it: `useImportType`);
// scripts/test/resolve-ts-extensions.test.ts loads the whole local stack this way.
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const RELATIVE_JS = /^\.\.?\/.*\.js$/;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const { parentURL } = context;
    if (parentURL?.startsWith('file:') && parentURL.endsWith('.ts') && RELATIVE_JS.test(specifier)) {
      const emitted = new URL(specifier, parentURL);
      const source = new URL(`${specifier.slice(0, -'.js'.length)}.ts`, parentURL);
      if (!existsSync(fileURLToPath(emitted)) && existsSync(fileURLToPath(source))) return nextResolve(source.href, context);
    }
    return nextResolve(specifier, context);
  },
});
