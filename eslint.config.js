// ESLint for src/, test/, bench/ and scripts/: eslint-config-oclif (eslint-config-xo-space's
// @stylistic formatting rules, typescript-eslint, unicorn, n, mocha, perfectionist, jsdoc,
// import) with the house style on top. `npm run lint` runs `eslint --max-warnings 0`: the few
// rules the presets leave at 'warn' (jsdoc's) fail it too, nothing lingers as a warning nobody reads.
//
// Each rule the tree turns off or adjusts below says why in one line. The principles:
// - formatting rules that agree with the house style stay on (no semicolons, single quotes,
//   2-space indent, `{a}` without inner spaces, `,` between members of a one-line type literal);
// - a rule whose autofix could change behaviour or an order that means something is off;
// - rules that find real defects stay on, and a deliberate exception is an
//   `eslint-disable-next-line RULE -- why` (a disable must name its rule and give its reason,
//   and one that disables nothing is an error).
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs'
import oclif from 'eslint-config-oclif'
import globals from 'globals'

// eslint-plugin-mocha as eslint-config-oclif loads it (not a dependency of this package itself)
const mochaRules = Object.keys(oclif.find(config => config.plugins?.mocha).plugins.mocha.rules)

export default [
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'dist-pack/**',
      'test-output/**',
      'tmp/**',
      // generated: the oclif manifest, and the JSON snapshot the json-shapes test compares to
      'oclif.manifest.json',
      'test/**/*.snapshot.json',
      // outside the linted tree: shipped buildpacks and example apps (run by the platform as a
      // user's code), the two-line bin/ launchers, docs and packaging's templates (the formula,
      // install.sh); packaging/runtime is code an install runs, and linted
      'bin/**',
      'buildpacks/**',
      'docs/**',
      'examples/**',
      'packaging/homebrew/**',
      'schema/**',
    ],
  },
  ...oclif,
  comments.recommended,
  {
    linterOptions: {reportUnusedDisableDirectives: 'error'},
    rules: {
      // --- eslint-disable comments ---
      // a disable names the rules it disables (no bare `eslint-disable`) ...
      '@eslint-community/eslint-comments/no-unlimited-disable': 'error',
      // ... and says why, after ` -- `
      '@eslint-community/eslint-comments/require-description': ['error', {ignore: []}],

      // --- formatting (@stylistic, from eslint-config-xo-space via oclif) ---
      // one-line type literals separate members with `,` like object literals (the majority, and
      // what src/platform writes; src/lib's `;` goes); multi-line ones put each member on its line
      '@stylistic/member-delimiter-style': ['error', {
        multiline: {delimiter: 'none'},
        multilineDetection: 'brackets',
        singleline: {delimiter: 'comma', requireLast: false},
      }],
      // house style: `case` indented inside `switch`, and a wrapped `.method()` chain indented
      // (oclif's SwitchCase: 0 and MemberExpression: 0 fight both)
      '@stylistic/indent': ['error', 2, {MemberExpression: 1, SwitchCase: 1}],
      // braces on their own lines only when the contents span lines: xo's minProperties: 4 would
      // explode every one-line `{a, b, c, d}` object, import and export, which the tree writes
      '@stylistic/object-curly-newline': ['error', {
        ExportDeclaration: {consistent: true, multiline: true},
        ImportDeclaration: {consistent: true, multiline: true},
        ObjectExpression: {consistent: true, multiline: true},
        ObjectPattern: {consistent: true, multiline: true},
      }],
      // off: 'consistent' puts every element of a wrapped array on its own line; the tree packs
      // table rows and argv words several to a line on purpose, and max-len bounds the width
      '@stylistic/array-element-newline': 'off',
      // off: same for call arguments (e.g. a dashboard table's empty text and its columns)
      '@stylistic/function-call-argument-newline': 'off',
      // blank line before a method and after one, but consecutive fields may be grouped with
      // blank lines (an oclif command's multi-line static args/flags/examples are)
      '@stylistic/lines-between-class-members': ['error', {
        enforce: [
          {blankLine: 'always', next: 'method', prev: '*'},
          {blankLine: 'always', next: 'field', prev: 'method'},
        ],
      }],
      // the tree writes long lines (descriptions, one-line objects, SQL); 200 is xo's own limit and
      // what the code keeps to; long string and template literals (messages, help text) may run on
      '@stylistic/max-len': ['error', {
        code: 200,
        ignoreComments: true,
        ignoreRegExpLiterals: true,
        ignoreStrings: true,
        ignoreTemplateLiterals: true,
        ignoreUrls: true,
      }],
      // xo's tab config leaks through xo-space here: continuation lines of a wrapped binary
      // expression or union type are indented by 2 spaces, not a tab
      '@stylistic/indent-binary-ops': ['error', 2],
      // operators start the continuation line, except `=`: `type X =` then one `| member` a line
      '@stylistic/operator-linebreak': ['error', 'before', {overrides: {'=': 'after'}}],
      // parentheses where precedence is easy to misread (&& with ||, bitwise, comparisons);
      // `a + b * c` and `x * 2 ** n` are ordinary arithmetic, not a trap
      '@stylistic/no-mixed-operators': ['error', {
        allowSamePrecedence: true,
        groups: [
          ['&&', '||'],
          ['&', '|', '^', '~', '<<', '>>', '>>>'],
          ['==', '!=', '===', '!==', '>', '>=', '<', '<='],
          ['in', 'instanceof'],
        ],
      }],

      // no semicolons (oclif turns the rule off; an autofix such as unicorn/prefer-switch would add `break;`)
      '@stylistic/semi': ['error', 'never'],

      // --- unicorn autofixes that change behaviour ---
      // off: without types it takes any `.size` for a Set's: `opts.size ? …` (a dyno size string,
      // a size() function) became `opts.size > 0`
      'unicorn/explicit-length-check': 'off',
      // off: without types it takes any `.push` for an array's and merges two calls into one:
      // `decoder.push(a); decoder.push(b)` became `decoder.push(a, b)`
      'unicorn/no-array-push-push': 'off',
      // off: re-indents the contents of html`…` templates, which changes the bytes the dashboards
      // serve (and what a <pre> shows)
      'unicorn/template-indent': 'off',
      // `return undefined` and `let x = undefined` are useless, but `f(undefined)` fills a required
      // parameter and `async () => undefined` is typed Promise<undefined>, not Promise<void>
      'unicorn/no-useless-undefined': ['error', {checkArguments: false, checkArrowFunctionBody: false}],

      // --- ordering (perfectionist) ---
      // off: reorders class members, and field initialisers run in declaration order (a field
      // may read one declared above it), so sorting can change behaviour
      'perfectionist/sort-classes': 'off',
      // off: key order is observable: --json output, API response bodies, table columns,
      // Object.keys/entries iteration; the tree orders keys as the Platform API documents them
      'perfectionist/sort-objects': 'off',
      // off: a Set's / Map's iteration order is its literal order (messages, help, output)
      'perfectionist/sort-sets': 'off',
      'perfectionist/sort-maps': 'off',
      // off: cases match in order and read in protocol / lifecycle order (RESP markers, states)
      'perfectionist/sort-switch-case': 'off',

      // --- naming ---
      // snake_case property names are the wire format (Platform API bodies, --json output,
      // pg/redis fields): properties and destructured names are not checked, identifiers are
      camelcase: ['error', {ignoreDestructuring: true, ignoreImports: true, properties: 'never'}],

      // --- deliberate patterns ---
      // off: sequential awaits are the norm here (one probe, one step, one request at a time, in
      // order); the tree had ~250 of them, 100 already behind a bare disable comment
      'no-await-in-loop': 'off',
      // off: every finding was `new Promise(resolve => emitter.once('x', resolve))` or
      // `setTimeout(resolve, ms)`, whose ignored return value is harmless
      'no-promise-executor-return': 'off',
      // off: file modes (mode & 0o777), hashes (>>> 0), byte masks and medians (n >> 1) are bit
      // operations on purpose
      'no-bitwise': 'off',
      // `void promise` as a statement marks a deliberate fire-and-forget
      'no-void': ['error', {allowAsStatement: true}],
      // fetch, fs.cpSync and Readable.fromWeb are in Node 20.19 (engines) and tested there, though
      // marked experimental; a builtin absent from 20.19 is an error. (import.meta.dirname is
      // reported: engines >=20.19 takes in 21.0-21.1, which lack it; the tree uses import.meta.url)
      'n/no-unsupported-features/node-builtins': ['error', {allowExperimental: true}],
      // chalk 5 exports the Chalk class and the ChalkInstance type by name; unicorn's default
      // wants only its default import (node:path named, as oclif sets it)
      'unicorn/import-style': ['error', {styles: {chalk: false, 'node:path': {named: true}}}],
      // off: duplicate of unicorn/no-process-exit, which also knows a `#!` script may exit
      'n/no-process-exit': 'off',
      // off: small helpers are kept beside their one use (a test, a run() body); hoisting them is
      // churn, not a fix
      'unicorn/consistent-function-scoping': 'off',
      // off: dispatch functions (routers, dashboards, serializers) are long by nature; a number
      // of branches is not a defect
      complexity: 'off',
      // off: internal functions take positional parameters (row, store, app, ...); an options
      // object for each is churn
      'max-params': 'off',
      // xo's warnings made errors: deep nesting and callback pyramids are worth a look each time
      'max-depth': ['error', 4],
      'max-nested-callbacks': ['error', 4],
      // committed .skip / pending tests need a reason (a disable with `-- why`)
      'mocha/no-pending-tests': 'error',
      'mocha/no-skipped-tests': 'error',
      // off: a test file may hold several top-level suites (one per command or per concern)
      'mocha/max-top-level-suites': 'off',
      // a rest pattern that leaves fields out (`{password: _p, ...rest}`) is how the tree drops
      // secrets from a copy: the names it binds are unused on purpose (oclif's `_` arguments kept)
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', ignoreRestSiblings: true}],
    },
  },
  {
    // mocha's rules are for the tests: src/platform/api/config-vars.ts has a describe() of its own
    files: ['src/**', 'bench/**', 'scripts/**'],
    rules: Object.fromEntries(mochaRules.map(rule => [`mocha/${rule}`, 'off'])),
  },
  {
    files: ['**/*.ts'],
    rules: {
      // off in TypeScript: tsc checks names (and knows type-only globals such as Mocha, RequestInit),
      // as typescript-eslint advises
      'no-undef': 'off',
    },
  },
  {
    // test helpers and fixtures are modules the tests import, not test files
    files: ['test/**/*.ts'],
    ignores: ['test/**/*.test.ts'],
    rules: {
      'mocha/no-exports': 'off',
      'mocha/no-top-level-hooks': 'off',
    },
  },
  {
    // fixture programs that exit with a chosen code on purpose (a crashing dyno, a foreground child)
    files: ['test/**/fixtures/**'],
    rules: {'unicorn/no-process-exit': 'off'},
  },
  {
    // the runtime fixture app is a user's plain CommonJS node app that the platform runs
    files: ['test/platform/fixtures/runtime/app/**/*.js'],
    languageOptions: {globals: globals.node, sourceType: 'commonjs'},
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      'unicorn/prefer-module': 'off',
    },
  },
  {
    // shipped as CommonJS beside the bundled @oclif/core (scripts/bundle.mjs), loaded by require
    files: ['packaging/runtime/**/*.cjs'],
    languageOptions: {globals: globals.node, sourceType: 'commonjs'},
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      // a CommonJS module's top level is the module's own scope, not the global one
      'no-implicit-globals': 'off',
      'unicorn/prefer-module': 'off',
    },
  },
]
