// The CLI's public surface, pinned like @salesforce/plugin-command-snapshot does: every command's
// flags (name, char, type, required), args and aliases, and the *shape* of what --json prints
// (keys and value types, recursively; arrays by their element's shape), against API answers shaped
// like the Platform API schema. A renamed flag, a new command without an entry, or a --json that
// changes shape fails here with a diff; UPDATE_SNAPSHOTS=1 rewrites the snapshot on purpose.

import type nock from 'nock'

import {expect} from 'chai'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'

import {api, run, sourceConfig, useIsolatedEnv} from '../helpers/cli.js'
import {schemaResponse} from './schema-examples.js'

const SNAPSHOT = new URL('json-shapes.snapshot.json', import.meta.url)
const SNAPSHOT_NAME = 'test/commands/json-shapes.snapshot.json'
const UPDATE = Boolean(process.env.UPDATE_SNAPSHOTS) && process.env.UPDATE_SNAPSHOTS !== '0'

// ---- what each command is run with --------------------------------------------------------------

type Example = any // eslint-disable-line @typescript-eslint/no-explicit-any -- schema examples are untyped JSON
/** `METHOD /path` answered 200 with the schema's example; or with this body (a function edits the example); or this status and body */
type Call = [string, number, unknown] | [string, unknown] | string

interface Case {
  argv: string[]
  /** every request the command makes, in any order; each must be made (nock scopes consumed) */
  calls: Call[]
}

const ID = '01234567-89ab-cdef-0123-456789abcdef'
const transfer = (over: Record<string, unknown> = {}) => ({
  addon: {id: ID, name: 'acme-inc-primary-database'}, app: {id: ID, name: 'example'}, created_at: '2012-01-01T12:00:00Z', error: null,
  id: 'tr1', kind: 'backup', name: 'b001', num: 1, size_bytes: 1024, source: null, status: 'succeeded', updated_at: '2012-01-01T12:00:00Z', ...over,
})
const provider = {
  addon_service: {id: ID, name: 'acme-db'}, addons: 0, created_at: '2012-01-01T12:00:00Z', id: 'acme-db',
  manifest: {api: {config_vars: ['ACME_DB_URL'], config_vars_prefix: 'ACME_DB', production: {base_url: 'https://acme.example.com/heroku'}, regions: ['us'], requires: [], version: '3'}, id: 'acme-db', name: 'Acme DB', plans: [{name: 'free'}]},
  name: 'Acme DB', owner: {email: 'username@example.com', id: ID}, updated_at: '2012-01-01T12:00:00Z',
}
const withService = (name: string) => (addon: Example) => ({...addon, addon_service: {...addon.addon_service, name}})

const CASES: Record<string, Case> = {
  access: {argv: ['access', '-a', 'example'], calls: ['GET /apps/example/collaborators']},
  'access:add': {argv: ['access:add', 'collaborator@example.com', '-a', 'example'], calls: ['POST /apps/example/collaborators']},
  'access:remove': {argv: ['access:remove', 'collaborator@example.com', '-a', 'example'], calls: ['DELETE /apps/example/collaborators/collaborator%40example.com']},
  addons: {argv: ['addons', '-a', 'example'], calls: ['GET /apps/example/addons', 'GET /apps/example/addon-attachments']},
  'addons:attach': {argv: ['addons:attach', 'acme-inc-primary-database', '-a', 'example'], calls: ['POST /addon-attachments']},
  'addons:create': {argv: ['addons:create', 'heroku-postgresql', '-a', 'example'], calls: ['POST /apps/example/addons']},
  'addons:destroy': {argv: ['addons:destroy', 'acme-inc-primary-database', '-a', 'example', '--confirm', 'example'], calls: ['GET /apps/example/addons/acme-inc-primary-database', `DELETE /apps/example/addons/${ID}`]},
  'addons:detach': {argv: ['addons:detach', 'DATABASE', '-a', 'example'], calls: ['GET /apps/example/addon-attachments/DATABASE', `DELETE /addon-attachments/${ID}`]},
  'addons:info': {argv: ['addons:info', 'acme-inc-primary-database'], calls: ['GET /addons/acme-inc-primary-database', `GET /addons/${ID}/addon-attachments`]},
  'addons:plans': {argv: ['addons:plans', 'heroku-postgresql'], calls: ['GET /addon-services/heroku-postgresql/plans']},
  'addons:services': {argv: ['addons:services'], calls: ['GET /addon-services']},
  'addons:wait': {argv: ['addons:wait', '-a', 'example'], calls: ['GET /apps/example/addons']},
  apps: {argv: ['apps'], calls: ['GET /apps']},
  'apps:create': {argv: ['apps:create', 'example', '--no-remote'], calls: ['POST /apps']},
  'apps:destroy': {argv: ['apps:destroy', '-a', 'example', '--confirm', 'example'], calls: ['GET /apps/example', 'DELETE /apps/example']},
  'apps:info': {argv: ['apps:info', '-a', 'example'], calls: ['GET /apps/example', 'GET /apps/example/addons', 'GET /apps/example/dynos', 'GET /apps/example/pipeline-couplings']},
  'apps:rename': {argv: ['apps:rename', 'example2', '-a', 'example'], calls: ['GET /apps/example', 'PATCH /apps/example']},
  'apps:transfer': {argv: ['apps:transfer', 'username@example.com', '-a', 'example'], calls: ['GET /apps/example', 'POST /account/app-transfers']},
  'auth:token': {argv: ['auth:token'], calls: []},
  'auth:whoami': {argv: ['auth:whoami'], calls: ['GET /account']},
  buildpacks: {argv: ['buildpacks', '-a', 'example'], calls: ['GET /apps/example/buildpack-installations']},
  'buildpacks:add': {argv: ['buildpacks:add', 'heroku/nodejs', '-a', 'example'], calls: ['GET /apps/example/buildpack-installations', 'PUT /apps/example/buildpack-installations']},
  'buildpacks:clear': {argv: ['buildpacks:clear', '-a', 'example'], calls: ['PUT /apps/example/buildpack-installations']},
  'buildpacks:remove': {argv: ['buildpacks:remove', 'heroku/ruby', '-a', 'example'], calls: ['GET /apps/example/buildpack-installations', 'PUT /apps/example/buildpack-installations']},
  'buildpacks:set': {argv: ['buildpacks:set', 'heroku/nodejs', '-a', 'example'], calls: ['GET /apps/example/buildpack-installations', 'PUT /apps/example/buildpack-installations']},
  builds: {argv: ['builds', '-a', 'example'], calls: ['GET /apps/example/builds']},
  'builds:info': {argv: ['builds:info', '-a', 'example'], calls: ['GET /apps/example/builds']},
  // the router cache is the local platform's own API, not in the schema
  'cache:purge': {argv: ['cache:purge', '-a', 'example'], calls: [['POST /apps/example/cache/purge', {app: {id: ID, name: 'example'}, paths: [], purged: 3}]]},
  'cache:stats': {
    argv: ['cache:stats', '-a', 'example'], calls: [['GET /apps/example/cache', {
      app: {id: ID, name: 'example'}, bypass: 0, bytes: 2048, entries: 2, evictions: 0, hit_ratio: 0.5, hits: 1, max_bytes: 1_048_576, misses: 1, revalidated: 0, stale: 0,
    }]],
  },
  certs: {argv: ['certs', '-a', 'example'], calls: ['GET /apps/example/sni-endpoints']},
  'certs:info': {argv: ['certs:info', '-a', 'example'], calls: ['GET /apps/example/sni-endpoints', 'GET /apps/example/domains']},
  'certs:remove': {argv: ['certs:remove', '-a', 'example', '--confirm', 'example'], calls: ['GET /apps/example/sni-endpoints', 'DELETE /apps/example/sni-endpoints/example']},
  config: {argv: ['config', '-a', 'example'], calls: ['GET /apps/example/config-vars']},
  'config:get': {argv: ['config:get', 'FOO', '-a', 'example'], calls: ['GET /apps/example/config-vars']},
  'config:set': {argv: ['config:set', 'FOO=bar', '-a', 'example'], calls: ['PATCH /apps/example/config-vars', 'GET /apps/example/releases']},
  'config:unset': {argv: ['config:unset', 'FOO', '-a', 'example'], calls: ['PATCH /apps/example/config-vars', 'GET /apps/example/releases']},
  domains: {argv: ['domains', '-a', 'example'], calls: ['GET /apps/example/domains']},
  'domains:add': {argv: ['domains:add', 'subdomain.example.com', '-a', 'example'], calls: ['POST /apps/example/domains']},
  'domains:remove': {argv: ['domains:remove', 'subdomain.example.com', '-a', 'example'], calls: ['DELETE /apps/example/domains/subdomain.example.com']},
  drains: {argv: ['drains', '-a', 'example'], calls: ['GET /apps/example/log-drains']},
  'drains:add': {argv: ['drains:add', 'https://example.com/drain', '-a', 'example'], calls: ['POST /apps/example/log-drains']},
  'drains:remove': {argv: ['drains:remove', 'https://example.com/drain', '-a', 'example'], calls: ['DELETE /apps/example/log-drains/https%3A%2F%2Fexample.com%2Fdrain']},
  labs: {argv: ['labs', '-a', 'example'], calls: ['GET /account', 'GET /account/features', 'GET /apps/example/features']},
  'labs:disable': {argv: ['labs:disable', 'name', '-a', 'example'], calls: ['GET /account/features/name', 'GET /account', 'PATCH /account/features/name']},
  'labs:enable': {argv: ['labs:enable', 'name', '-a', 'example'], calls: ['GET /account/features/name', 'GET /account', 'PATCH /account/features/name']},
  'labs:info': {argv: ['labs:info', 'name', '-a', 'example'], calls: ['GET /account/features/name']},
  maintenance: {argv: ['maintenance', '-a', 'example'], calls: ['GET /apps/example']},
  'maintenance:off': {argv: ['maintenance:off', '-a', 'example'], calls: ['PATCH /apps/example']},
  'maintenance:on': {argv: ['maintenance:on', '-a', 'example'], calls: ['PATCH /apps/example']},
  // the backups API is Heroku Postgres's (the local platform speaks it), not in the schema
  'pg:backups': {
    argv: ['pg:backups', '-a', 'example'], calls: [
      ['GET /apps/example/addons', (list: Example[]) => list.map(a => ({...a, app: {id: ID, name: 'example'}}))],
      [`GET /apps/example/addons/${ID}/backups`, [transfer()]], [`GET /apps/example/addons/${ID}/restores`, [transfer({kind: 'restore', name: 'r001'})]],
    ],
  },
  'pg:backups:capture': {
    argv: ['pg:backups:capture', '-a', 'example'], calls: [
      'GET /apps/example/addons/DATABASE', [`POST /apps/example/addons/${ID}/backups`, transfer({status: 'pending'})], [`GET /apps/example/addons/${ID}/backups/tr1`, transfer()],
    ],
  },
  'pg:backups:delete': {
    argv: ['pg:backups:delete', 'b001', '-a', 'example', '--confirm', 'example'], calls: [
      ['GET /apps/example/addons', (list: Example[]) => list.map(a => ({...a, app: {id: ID, name: 'example'}}))],
      [`GET /apps/example/addons/${ID}/backups`, [transfer()]], [`DELETE /apps/example/addons/${ID}/backups/tr1`, transfer()],
    ],
  },
  'pg:backups:restore': {
    argv: ['pg:backups:restore', 'b001', '-a', 'example', '--confirm', 'example'], calls: [
      'GET /apps/example/addons/DATABASE', ['GET /apps/example/addons', (list: Example[]) => list.map(a => ({...a, app: {id: ID, name: 'example'}}))],
      [`GET /apps/example/addons/${ID}/backups`, [transfer()]],
      [`POST /apps/example/addons/${ID}/backups/tr1/actions/restore`, transfer({id: 'rs1', kind: 'restore', name: 'r001', status: 'pending'})],
      [`GET /apps/example/addons/${ID}/restores/rs1`, transfer({id: 'rs1', kind: 'restore', name: 'r001'})],
    ],
  },
  'pg:backups:url': {
    argv: ['pg:backups:url', 'b001', '-a', 'example'], calls: [
      ['GET /apps/example/addons', (list: Example[]) => list.map(a => ({...a, app: {id: ID, name: 'example'}}))],
      [`GET /apps/example/addons/${ID}/backups`, [transfer()]],
      [`POST /apps/example/addons/${ID}/backups/tr1/actions/public-url`, {expires_at: '2012-01-01T13:00:00Z', url: 'https://example.com/b001.dump'}],
    ],
  },
  'pg:credentials:url': {
    argv: ['pg:credentials:url', '-a', 'example'], calls: [
      'GET /apps/example/addons/DATABASE', `GET /addons/${ID}/addon-attachments`, ['GET /apps/example/config-vars', {DATABASE_URL: 'postgres://user:secret@db.example.com:5432/example'}],
    ],
  },
  pipelines: {argv: ['pipelines'], calls: ['GET /pipelines']},
  'pipelines:add': {argv: ['pipelines:add', 'example', '-a', 'example', '--stage', 'production'], calls: ['GET /pipelines/example', 'POST /pipeline-couplings']},
  'pipelines:create': {
    argv: ['pipelines:create', 'example', '-a', 'example', '--stage', 'production'], calls: [
      ['GET /apps/example/pipeline-couplings', 404, {id: 'not_found', message: 'example is not in a pipeline.'}], 'GET /account', 'POST /pipelines', 'POST /pipeline-couplings',
    ],
  },
  'pipelines:destroy': {argv: ['pipelines:destroy', 'example'], calls: ['GET /pipelines/example', `DELETE /pipelines/${ID}`]},
  'pipelines:info': {argv: ['pipelines:info', 'example'], calls: ['GET /pipelines/example', `GET /pipelines/${ID}/pipeline-couplings`, `GET /apps/${ID}`]},
  'pipelines:promote': {
    argv: ['pipelines:promote', '-a', 'example'], calls: [
      ['GET /apps/example/pipeline-couplings', (c: Example) => ({...c, stage: 'staging'})],
      [`GET /pipelines/${ID}/pipeline-couplings`, ([c]: Example[]) => [{...c, stage: 'staging'}, {...c, app: {id: 'prod-id'}, stage: 'production'}]],
      `GET /apps/${ID}`, ['GET /apps/prod-id', (app: Example) => ({...app, id: 'prod-id', name: 'example-prod'})],
      'POST /pipeline-promotions', [`GET /pipeline-promotions/${ID}/promotion-targets`, ([t]: Example[]) => [{...t, app: {id: 'prod-id'}, status: 'succeeded'}]],
    ],
  },
  'pipelines:remove': {argv: ['pipelines:remove', '-a', 'example'], calls: ['GET /apps/example/pipeline-couplings', `DELETE /pipeline-couplings/${ID}`]},
  'pipelines:rename': {argv: ['pipelines:rename', 'example', 'example2'], calls: ['GET /pipelines/example', `PATCH /pipelines/${ID}`]},
  // add-on providers are the local platform's own API, not in the schema
  'platform:addons': {argv: ['platform:addons'], calls: [['GET /platform/addon-providers', [provider]]]},
  'platform:addons:unregister': {argv: ['platform:addons:unregister', 'acme-db'], calls: [['DELETE /platform/addon-providers/acme-db', provider]]},
  ps: {argv: ['ps', '-a', 'example'], calls: ['GET /apps/example/dynos']},
  'ps:restart': {argv: ['ps:restart', '-a', 'example'], calls: ['DELETE /apps/example/dynos']},
  'ps:scale': {argv: ['ps:scale', 'web=2', '-a', 'example'], calls: ['PATCH /apps/example/formation']},
  'ps:stop': {argv: ['ps:stop', 'run.1', '-a', 'example'], calls: ['POST /apps/example/dynos/run.1/actions/stop']},
  'ps:type': {argv: ['ps:type', '-a', 'example'], calls: ['GET /apps/example/formation']},
  'ps:wait': {
    argv: ['ps:wait', '-a', 'example'], calls: [
      'GET /apps/example/releases', ['GET /apps/example/formation', ([f]: Example[]) => [{...f, type: 'web'}]],
      // the dynos run the newest release: the same example id
      ['GET /apps/example/dynos', ([d]: Example[]) => [{...d, name: 'web.1', type: 'web'}]],
    ],
  },
  'redis:credentials': {
    argv: ['redis:credentials', '-a', 'example'], calls: [
      ['GET /apps/example/addons/REDIS', withService('heroku-redis')], [`GET /addons/${ID}/addon-attachments`, ([t]: Example[]) => [{...t, name: 'REDIS'}]],
      ['GET /apps/example/config-vars', {REDIS_URL: 'redis://h:secret@redis.example.com:6379'}],
    ],
  },
  releases: {argv: ['releases', '-a', 'example'], calls: ['GET /apps/example/releases']},
  'releases:info': {argv: ['releases:info', '-a', 'example'], calls: ['GET /apps/example/releases', `GET /apps/example/slugs/${ID}`]},
  'releases:retry': {argv: ['releases:retry', '-a', 'example'], calls: ['GET /apps/example/releases', 'POST /apps/example/releases']},
  'releases:rollback': {argv: ['releases:rollback', 'v10', '-a', 'example'], calls: ['GET /apps/example/releases/10', 'POST /apps/example/releases']},
  'run:detached': {argv: ['run:detached', '-a', 'example', '--', 'bash'], calls: ['POST /apps/example/dynos']},
  webhooks: {argv: ['webhooks', '-a', 'example'], calls: ['GET /apps/example/webhooks']},
  'webhooks:add': {argv: ['webhooks:add', '-i', 'api:release', '-l', 'notify', '-u', 'https://example.com/hooks', '-a', 'example'], calls: ['POST /apps/example/webhooks']},
  'webhooks:deliveries': {argv: ['webhooks:deliveries', '-a', 'example'], calls: ['GET /apps/example/webhook-deliveries']},
  'webhooks:deliveries:info': {argv: ['webhooks:deliveries:info', ID, '-a', 'example'], calls: [`GET /apps/example/webhook-deliveries/${ID}`, 'GET /apps/example/webhook-events/example']},
  'webhooks:events': {argv: ['webhooks:events', '-a', 'example'], calls: ['GET /apps/example/webhook-events']},
  'webhooks:events:info': {argv: ['webhooks:events:info', ID, '-a', 'example'], calls: [`GET /apps/example/webhook-events/${ID}`]},
  'webhooks:info': {argv: ['webhooks:info', ID, '-a', 'example'], calls: [`GET /apps/example/webhooks/${ID}`]},
  'webhooks:remove': {argv: ['webhooks:remove', ID, '-a', 'example'], calls: [`DELETE /apps/example/webhooks/${ID}`]},
  'webhooks:update': {argv: ['webhooks:update', ID, '-l', 'sync', '-a', 'example'], calls: [`PATCH /apps/example/webhooks/${ID}`]},
}

/**
 * Commands whose --json is not run here, and why: they need a terminal, a browser, a database,
 * git, files, or the local platform's processes. Their flags are still snapshotted, and what they
 * print is said in their --json flag's description; their own tests cover the output.
 */
const NOT_RUN: Record<string, string> = {
  'addons:docs': 'opens a browser',
  'addons:open': 'opens a browser',
  'apps:open': 'opens a browser',
  'auth:login': 'interactive login, writes credentials',
  'auth:logout': 'revokes and forgets the stored credentials',
  'builds:output': 'follows build.output_stream_url (not an API path)',
  'certs:add': 'reads certificate files',
  'certs:generate': 'writes certificate files',
  'certs:update': 'reads certificate files',
  'config:edit': 'runs an editor on a terminal',
  'config:pull': 'writes .env in the working directory',
  'config:push': 'reads .env in the working directory',
  'git:clone': 'runs git',
  'git:credentials': 'a git credential helper: --json is off',
  'git:remote': 'runs git',
  local: 'runs the Procfile\'s processes',
  'local:run': 'runs a local command',
  logs: 'streams the log session URL (not an API path)',
  'pg:backups:download': 'follows the backup\'s signed URL and writes a file',
  'pg:info': 'connects to the database',
  'pg:kill': 'connects to the database',
  'pg:ps': 'connects to the database',
  'pg:psql': 'runs psql',
  'pg:pull': 'runs pg_dump and pg_restore',
  'pg:push': 'runs pg_dump and pg_restore',
  'pg:reset': 'connects to the database',
  'pg:wait': 'connects to the database',
  'platform:addons:register': 'reads a manifest file',
  'platform:start': 'starts the local platform',
  'platform:status': 'reads the local platform\'s process state',
  'platform:stop': 'stops the local platform',
  'platform:users:add': 'writes the local platform\'s user store',
  'redis:cli': 'runs redis-cli',
  'redis:info': 'connects to Redis',
  'releases:output': 'follows release.output_stream_url (not an API path)',
  run: 'attaches to a dyno (rendezvous)',
}

// ---- shapes and the snapshot --------------------------------------------------------------------

/** The shape of a JSON value: object keys sorted with their shapes, arrays by their first element, else the type. */
function shapeOf(value: unknown): unknown {
  if (value === null) return 'null'
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])]
  if (typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map(k => [k, shapeOf((value as Record<string, unknown>)[k])]))
  return typeof value
}

interface CommandSnapshot {
  aliases: string[]
  args: Record<string, {required: boolean}>
  flags: Record<string, {char?: string, required: boolean, type: string}>
  /** the shape of --json, or why it is not run here */
  json: unknown
}

const stored: Record<string, CommandSnapshot> = existsSync(SNAPSHOT) ? JSON.parse(readFileSync(SNAPSHOT, 'utf8')).commands : {}
const current: Record<string, CommandSnapshot> = {}

function compare(id: string, part: keyof CommandSnapshot, actual: unknown): void {
  if (UPDATE) return
  expect(stored[id], `${id} has no entry in ${SNAPSHOT_NAME}: run UPDATE_SNAPSHOTS=1 npx mocha test/commands/json-shapes.test.ts and commit it`).to.not.equal(undefined)
  expect(actual, `the ${part} of ${id} changed from ${SNAPSHOT_NAME}; if on purpose, run UPDATE_SNAPSHOTS=1 npx mocha test/commands/json-shapes.test.ts and commit it`).to.deep.equal(stored[id][part])
}

/** The CLI's own commands as oclif discovers them (the root plugin's; aliases are not commands of their own). */
async function ourCommands() {
  const config = await sourceConfig()
  const root = [...config.plugins.values()].find(p => p.isRoot)!
  return [...root.commands].sort((a, b) => a.id.localeCompare(b.id))
}

function answer(scope: ReturnType<typeof api>, call: Call): void {
  const [line, status, given] = typeof call === 'string' ? [call, 200, undefined] : (call.length === 2 ? [call[0], 200, call[1]] : call)
  const [method, path] = line.split(' ')
  // a body given as is needs no schema link (the platform's own APIs: cache, backups, add-on providers)
  const body = given === undefined || typeof given === 'function' ? (typeof given === 'function' ? given : (x: unknown) => x)(schemaResponse(method, path)) : given
  scope.intercept(path, method).reply(status, body as nock.Body)
}

describe('command snapshot (flags, args and --json shapes)', () => {
  useIsolatedEnv()

  after(() => {
    if (!UPDATE) return
    // a partial run (mocha --grep) keeps the entries it did not see
    const commands = {...stored}
    for (const [id, entry] of Object.entries(current)) commands[id] = {...commands[id], ...entry}
    const sorted = Object.fromEntries(Object.keys(commands).sort().map(id => [id, commands[id]]))
    writeFileSync(SNAPSHOT, JSON.stringify({commands: sorted}, null, 2) + '\n')
  })

  it('every command is run here or says why not, and every entry is a command', async () => {
    const ids = (await ourCommands()).map(c => c.id)
    const covered = [...Object.keys(CASES), ...Object.keys(NOT_RUN)].sort()
    expect(covered, 'a command of the CLI is missing from CASES / NOT_RUN in json-shapes.test.ts (or one listed there is gone)').to.deep.equal(ids)
    if (!UPDATE) expect(Object.keys(stored).sort(), `${SNAPSHOT_NAME} lists other commands than the CLI has: run UPDATE_SNAPSHOTS=1 npx mocha test/commands/json-shapes.test.ts`).to.deep.equal(ids)
  })

  it('every command keeps its flags, args and aliases, and its --json flag says what it prints', async () => {
    for (const command of await ourCommands()) {
      const flags = Object.fromEntries(Object.entries(command.flags).sort(([a], [b]) => a.localeCompare(b)).map(([name, flag]) => [
        name, {...(flag.char ? {char: flag.char} : {}), required: Boolean(flag.required), type: flag.type},
      ]))
      const args = Object.fromEntries(Object.entries(command.args).map(([name, arg]) => [name, {required: Boolean(arg.required)}]))
      const aliases = [...command.aliases].sort()
      current[command.id] = {...current[command.id], aliases, args, flags}
      compare(command.id, 'flags', flags)
      compare(command.id, 'args', args)
      compare(command.id, 'aliases', aliases)
      if (command.flags.json) expect(command.flags.json.description, `${command.id}: its --json flag should say what it prints (jsonFlag in src/lib/command/json-flag.ts)`).to.match(/^print .+ as JSON$/)
    }
  })

  for (const [id, reason] of Object.entries(NOT_RUN)) {
    it(`${id} --json is not run here: ${reason}`, () => {
      const json = {not_run: reason}
      current[id] = {...current[id], json}
      compare(id, 'json', json)
    })
  }

  for (const [id, {argv, calls}] of Object.entries(CASES)) {
    it(`${id} --json keeps its shape`, async () => {
      const scope = api()
      for (const call of calls) answer(scope, call)
      // before a `--`: what follows it is the remote command's
      const dashes = argv.includes('--') ? argv.indexOf('--') : argv.length
      const {exitCode, stderr, stdout} = await run([...argv.slice(0, dashes), '--json', ...argv.slice(dashes)])
      expect(exitCode, `${id} failed: ${stderr}`).to.equal(0)
      // every call declared was made (the root hook checks too, after the test)
      expect(scope.pendingMocks(), `${id} did not make these requests`).to.deep.equal([])
      const json = shapeOf(JSON.parse(stdout))
      current[id] = {...current[id], json}
      compare(id, 'json', json)
    })
  }
})
