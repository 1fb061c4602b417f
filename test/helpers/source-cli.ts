// The CLI run from its TypeScript sources in a process of its own (node --import tsx this file
// ARGS…), whatever the working directory: a built oclif.manifest.json is ignored, so it always
// runs the code under test. For tests that signal the CLI's pid or need its exit code.
import {Config, flush, handle, Plugin, run} from '@oclif/core'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
process.env.NODE_ENV ??= 'test'
const plugin = new Plugin({ignoreManifest: true, isRoot: true, root})
await plugin.load()
const config = await Config.load({plugins: new Map([[plugin.name, plugin]]), root})
await run(process.argv.slice(2), config).then(async () => flush()).catch(async error => handle(error))
