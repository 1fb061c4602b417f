// The bundled build `npm run pack` ships (scripts/pack.mjs calls bundleApp on its staging dir).
// Start-up is mostly Node resolving and reading hundreds of small module files, and an install
// is mostly dependencies: so what ships is
//   dist/                  our code and every pure-JS dependency, bundled by esbuild with code
//                          splitting: each command file oclif loads (the manifest's paths) stays
//                          where it was and imports shared chunks, so a command loads only the
//                          code it uses;
//   node_modules/@oclif/*  @oclif/core (one file, loaded with a V8 code cache) and the three core plugins (bundled
//                          the same way, against that one @oclif/core), shipped inside the npm
//                          tarball as bundleDependencies: they stay real plugins with their own
//                          package.json and oclif.manifest.json (`heroku plugins --core` lists
//                          them, help reads their manifests, user plugins install beside them);
// and the published package.json depends only on what cannot be bundled: NATIVE_PACKAGES.
// npm and yarn (dependencies of @oclif/plugin-plugins) are not shipped: plugin-plugins resolves
// npm from its own location and else runs the npm on PATH (see STANDALONE_PACKAGES for the one
// install without it).
import {build} from 'esbuild'
import {createHash} from 'node:crypto'
import {cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join, relative, sep} from 'node:path'

/** Native modules: installed as packages, never bundled (swap the SQLite binding here). */
export const NATIVE_PACKAGES = ['libsql', '@napi-rs/keyring']
/**
 * Installed only into the standalone tarball, which runs on machines without Node.js or npm:
 * npm for `heroku plugins:install` (plugin-plugins resolves it from its own location first).
 */
export const STANDALONE_PACKAGES = ['npm']
/** Shipped bundled inside the npm tarball (bundleDependencies), as packages of their own. */
export const OCLIF_CORE = '@oclif/core'

// Bundled ESM keeps CommonJS dependencies working: esbuild's require shim uses this `require`
// (for Node built-ins), and __filename/__dirname exist where CommonJS code reads them.
const ESM_BANNER = [
  "import {createRequire as __bundleCreateRequire} from 'node:module';",
  "import {fileURLToPath as __bundleFileURLToPath} from 'node:url';",
  'const require = __bundleCreateRequire(import.meta.url);',
  'const __filename = __bundleFileURLToPath(import.meta.url);',
  "const __dirname = __bundleFileURLToPath(new URL('.', import.meta.url));",
].join('\n')

// Minified (local names shortened too), but keepNames keeps every function's and class's .name
// (what a class or function is called can matter); the installed tree is smaller by about half
// of what the bundle adds
const MINIFY = {keepNames: true, minify: true}

// Our modules (and the plugins') find files beside them through import.meta.url: in a chunk
// it would name the chunk. Each module's import.meta.url becomes this marker with its original
// path, which writeOutputs turns into a URL relative to the file the module ended up in.
const URL_MARKER = '__HEROKU_BUNDLE_ORIGINAL_URL__:'

/**
 * Rewrites the staged package in `app` (bin, dist as tsc built it, package.json, the manifest)
 * into the bundled build. `root` is the checkout whose node_modules the dependencies come from.
 * Returns the published package.json.
 */
export async function bundleApp(app, root) {
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'))
  const plugins = pkg.oclif.plugins ?? []
  const external = [...NATIVE_PACKAGES, OCLIF_CORE, ...plugins]

  // from the checkout's dist/ (what was packed), so dependencies resolve in its node_modules
  await bundleEsm({
    entryPoints: ourEntryPoints(root, pkg),
    external,
    outdir: join(app, 'dist'),
    sourceRoot: join(root, 'dist'),
  })

  const bundled = {}
  bundled[OCLIF_CORE] = await vendorOclifCore(root, app)
  for (const name of plugins) bundled[name] = await vendorPlugin(root, app, name)

  const published = {...pkg}
  delete published.devDependencies
  delete published.scripts
  delete published.allowScripts
  published.dependencies = {...bundled, ...Object.fromEntries(NATIVE_PACKAGES.map(name => [name, lockedVersion(root, name)]))}
  published.bundleDependencies = Object.keys(bundled)
  writeFileSync(join(app, 'package.json'), JSON.stringify(published, null, 2) + '\n')
  return published
}

/** The version package-lock.json pins (what the tests ran against). */
export function lockedVersion(root, name) {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'))
  const version = lock.packages?.[`node_modules/${name}`]?.version
  if (!version) throw new Error(`package-lock.json has no ${name}`)
  return version
}

/**
 * The files something loads by path: every command (the manifest names them), the hooks and the
 * help class oclif loads, and the platform's main, which the CLI starts as its own process.
 */
function ourEntryPoints(root, pkg) {
  const dist = join(root, 'dist')
  const entries = new Set([join(dist, 'platform', 'main.js')])
  const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
  for (const command of Object.values(manifest.commands)) entries.add(join(root, ...command.relativePath))
  if (pkg.oclif.helpClass) entries.add(join(root, pkg.oclif.helpClass))
  for (const hook of Object.values(pkg.oclif.hooks ?? {})) {
    for (const h of [hook].flat()) entries.add(join(root, typeof h === 'string' ? h : h.target))
  }

  for (const entry of entries) if (!existsSync(entry)) throw new Error(`bundle: ${relative(root, entry)} is missing: npm run build`)
  return [...entries]
}

/**
 * esbuild, ESM with code splitting, written over `outdir` (the unbundled files there removed):
 * entry points keep their paths below sourceRoot, shared code goes to chunks/.
 */
async function bundleEsm({entryPoints, external, outdir, sourceRoot}) {
  const result = await build({
    banner: {js: ESM_BANNER},
    bundle: true,
    chunkNames: 'chunks/[name]-[hash]',
    entryPoints,
    external,
    format: 'esm',
    legalComments: 'none',
    logLevel: 'warning',
    ...MINIFY,
    outbase: sourceRoot,
    outdir: `${outdir}.bundle`,
    platform: 'node',
    plugins: [originalUrls(sourceRoot)],
    splitting: true,
    target: 'node20',
    write: false,
  })
  rmSync(outdir, {force: true, recursive: true})
  writeOutputs(result.outputFiles, `${outdir}.bundle`, outdir)
}

/** An esbuild plugin: import.meta.url in files below `dir` becomes the URL marker (see URL_MARKER). */
function originalUrls(sourceRoot) {
  const dir = realpathSync(sourceRoot) // esbuild gives real paths (node_modules may be a link)
  return {
    name: 'original-import-meta-url',
    setup(b) {
      b.onLoad({filter: /\.[cm]?js$/}, args => {
        if (!args.path.startsWith(dir + sep)) return
        const source = readFileSync(args.path, 'utf8')
        if (!source.includes('import.meta.url')) return
        const marker = JSON.stringify(URL_MARKER + relative(dir, args.path).split(sep).join('/'))
        return {contents: source.replaceAll('import.meta.url', marker), loader: 'js'}
      })
    },
  }
}

/** Writes esbuild's outputs (built for `builtDir`) into `outdir`, each marker resolved for its file. */
function writeOutputs(outputFiles, builtDir, outdir) {
  const pattern = new RegExp(`(["'\`])${URL_MARKER}([^"'\`]+)\\1`, 'g')
  for (const file of outputFiles) {
    const to = join(outdir, relative(builtDir, file.path))
    mkdirSync(dirname(to), {recursive: true})
    const text = file.text.replaceAll(pattern, (_, _quote, original) => {
      // the original file, relative to where its code now is; both sit below outdir
      let rel = relative(dirname(to), join(outdir, original)).split(sep).join('/')
      if (!rel.startsWith('.')) rel = `./${rel}`
      return `new URL(${JSON.stringify(rel)}, import.meta.url).href`
    })
    writeFileSync(to, text)
  }
}

/** A package's files that ship whatever is bundled: its package.json (rewritten), manifest and licence. */
function copyPackageShell(from, to, rewrite) {
  mkdirSync(to, {recursive: true})
  for (const f of readdirSync(from)) {
    if (/^(licen[cs]e|copying|notice)/i.test(f) || f === 'oclif.manifest.json') cpSync(join(from, f), join(to, f))
  }

  const pkg = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'))
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'scripts', 'files']) delete pkg[field]
  writeFileSync(join(to, 'package.json'), JSON.stringify(rewrite(pkg), null, 2) + '\n')
  return pkg.version
}

/**
 * The bundled @oclif/core: one CommonJS file, lib/index.cjs, behind a small ES module, lib/index.mjs, that
 * loads it with a V8 code cache (packaging/runtime/code-cache.cjs: Node 20 caches no compiled
 * code of its own, and parsing and compiling @oclif/core was a fifth of a command's start-up) and
 * names its exports: imported from ES modules, a CommonJS file would first be scanned whole for
 * them. Code compiled through node:vm cannot import() without --experimental-vm-modules, so the
 * bundle's dynamic imports (commands, hooks, lilconfig's ES configs) call the facade's import()
 * instead, as `__herokuImport`. @oclif/core reads its own package.json from ../ for its version.
 * TypeScript is what it loads only to run a plugin's TypeScript sources in development.
 */
async function vendorOclifCore(root, app) {
  const from = join(root, 'node_modules', OCLIF_CORE)
  const to = join(app, 'node_modules', OCLIF_CORE)
  const version = copyPackageShell(from, to, pkg => ({...pkg, exports: {'.': './lib/index.mjs', './package.json': './package.json'}, main: './lib/index.mjs'}))
  const names = Object.keys(createRequire(join(from, 'package.json'))('./lib/index.js')).filter(n => n !== 'default' && n !== '__esModule')
  const outfile = join(to, 'lib', 'index.cjs')
  await build({
    bundle: true,
    entryPoints: [join(from, 'lib', 'index.js')],
    external: ['typescript', 'ts-node'],
    format: 'cjs',
    legalComments: 'none',
    logLevel: 'warning',
    ...MINIFY,
    outfile,
    platform: 'node',
    plugins: [dynamicImportsThrough(IMPORT_PARAMETER)],
    target: 'node20',
  })
  const code = readFileSync(outfile, 'utf8')
  // computed imports go through the facade; an import of a literal name esbuild could not bundle
  // (an external package) would be left as import() too, and fail at run time
  const left = [...code.matchAll(DYNAMIC_IMPORT), ...code.matchAll(/(?<![\w$.])import\(\s*['"`]/g)]
  if (left.length > 0) throw new Error(`bundle: @oclif/core still has ${left.length} import() that node:vm cannot run`)
  cpSync(join(root, 'packaging', 'runtime', 'code-cache.cjs'), join(to, 'lib', 'code-cache.cjs'))
  const sourceHash = createHash('sha256').update(code).digest('hex').slice(0, 16)
  writeFileSync(join(to, 'lib', 'index.mjs'), [
    "import {createRequire} from 'node:module'",
    "import {fileURLToPath} from 'node:url'",
    "const {loadWithCodeCache} = createRequire(import.meta.url)('./code-cache.cjs')",
    `const {exports: core} = loadWithCodeCache(fileURLToPath(new URL('./index.cjs', import.meta.url)), {importModule: specifier => import(specifier), name: ${JSON.stringify(CACHE_NAME)}, sourceHash: ${JSON.stringify(sourceHash)}})`,
    `export const {${names.join(', ')}} = core`,
    'export default core',
    '',
  ].join('\n'))
  return version
}

/** What the bundled @oclif/core calls in place of import() (code-cache.cjs passes it in). */
const IMPORT_PARAMETER = '__herokuImport'
/** The oclif dirname of this CLI: where its cache lives (~/.cache/heroku-toolbelt). */
const CACHE_NAME = 'heroku-toolbelt'
// `import(` as code: not a method (`.import(`), part of a name, or in a string (`'import()'` in
// a message). Imports of a literal name are left to esbuild, which bundles what they load.
const DYNAMIC_IMPORT = /(?<![\w$.'"`])import\((?!\s*['"`])/g

/** An esbuild plugin: every dynamic import() with a computed name in the sources calls `name`. */
function dynamicImportsThrough(name) {
  return {
    name: 'dynamic-imports-through',
    setup(b) {
      b.onLoad({filter: /\.c?js$/}, args => {
        const contents = readFileSync(args.path, 'utf8')
        const rewritten = contents.replaceAll(DYNAMIC_IMPORT, `${name}(`)
        return rewritten === contents ? undefined : {contents: rewritten, loader: 'js'}
      })
    },
  }
}

/**
 * A core plugin, bundled against the one @oclif/core: every file of its lib/ stays an entry point
 * (the manifest names commands and hooks by path; plugin-plugins runs lib/rm.js as a process).
 */
async function vendorPlugin(root, app, name) {
  const from = join(root, 'node_modules', name)
  const to = join(app, 'node_modules', name)
  const version = copyPackageShell(from, to, pkg => pkg)
  const lib = join(from, 'lib')
  const entryPoints = readdirSync(lib, {recursive: true}).map(String).filter(f => f.endsWith('.js')).map(f => join(lib, f))
  await bundleEsm({entryPoints, external: [OCLIF_CORE, 'npm', 'yarn'], outdir: join(to, 'lib'), sourceRoot: lib})
  return version
}
