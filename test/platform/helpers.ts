// Shared test support for the platform: a real server on an ephemeral port with a temp data
// dir, a tiny HTTP client, and response validation against the Platform API hyper-schema.
import {Ajv, type ValidateFunction} from 'ajv'
import addFormatsModule from 'ajv-formats'
import {expect} from 'chai'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {createUser, type NewUser} from '../../src/platform/bootstrap.js'
import {type PlatformOptions, type RunningPlatform, startPlatform} from '../../src/platform/server.js'

/** The repository's own copy of Heroku's published schema (MIT, licence beside it). */
export const SCHEMA_PATH = fileURLToPath(new URL('../../schema/platform-api/schema.json', import.meta.url))

/**
 * The HTTP router and the dyno supervisor (later parts of the platform) stay off unless a test
 * asks for them: API tests run several platforms at once, which must not fight over the router
 * port or start processes. (Options a platform does not know are ignored.)
 */
export const LATER_PARTS_OFF = {router: false, dynos: false} as unknown as Partial<PlatformOptions>

export interface TestPlatform {
  client: ApiClient
  close(options?: {keepData?: boolean}): Promise<void>
  dataDir: string
  owner: NewUser & {password: string}
  platform: RunningPlatform
  serverLog: string[]
}

export async function startTestPlatform(options: Partial<Omit<PlatformOptions, 'log' | 'port' | 'routerPort'>> = {}): Promise<TestPlatform> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'platform-test-'))
  const serverLog: string[] = []
  const platform = await startPlatform({addonProviders: [], ...LATER_PARTS_OFF, ...options, port: 0, routerPort: 5999, dataDir, log: line => serverLog.push(line)})
  const password = 'correct horse battery'
  const owner = {...await createUser(platform.store, {email: `owner-${Math.random().toString(36).slice(2, 8)}@example.com`, password}), password}
  return {
    platform,
    dataDir,
    owner,
    client: new ApiClient(platform.url, owner.token),
    serverLog,
    async close({keepData = false} = {}) {
      await platform.close()
      if (!keepData) rmSync(dataDir, {recursive: true, force: true})
    },
  }
}

export interface ApiResponse<T = unknown> {
  body: T
  headers: Headers
  status: number
  text: string
}

export interface RequestOptions {
  body?: unknown
  headers?: Record<string, string>
  /** a raw body sent as is (for malformed-input tests) */
  rawBody?: Buffer | string
  /** null sends no Authorization header */
  token?: null | string
}

/** A parsed JSON body, read field by field without declaring its shape (each test knows the endpoint it asked). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the default body type of the test client: tests read the fields of any endpoint's JSON directly
export type Json = any

export class ApiClient {
  constructor(readonly baseUrl: string, readonly token: string) {}

  withToken(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token)
  }

  async request<T = Json>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const token = options.token === undefined ? this.token : options.token
    const headers: Record<string, string> = {Accept: 'application/vnd.heroku+json; version=3', ...options.headers}
    if (token !== null && headers.Authorization === undefined) headers.Authorization = `Bearer ${token}`
    let body: Buffer | string | undefined
    if (options.rawBody !== undefined) body = options.rawBody
    else if (options.body !== undefined) body = JSON.stringify(options.body)
    if (body !== undefined && headers['Content-Type'] === undefined) headers['Content-Type'] = 'application/json'
    const response = await fetch(this.baseUrl + path, {method, headers, body})
    const text = await response.text()
    let parsed: unknown = text
    if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text)
    return {status: response.status, headers: response.headers, body: parsed as T, text}
  }

  get<T = Json>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, options)
  }

  post<T = Json>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('POST', path, {...options, body})
  }

  patch<T = Json>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PATCH', path, {...options, body})
  }

  delete<T = Json>(path: string, options?: RequestOptions) {
    return this.request<T>('DELETE', path, options)
  }
}

// --- schema validation ------------------------------------------------------------------

interface SchemaLink {
  href: string
  method: string
  targetSchema?: object
  title: string
}

interface HyperSchema {
  definitions: Record<string, {links?: SchemaLink[], properties?: Record<string, unknown>}>
}

const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as HyperSchema & {$schema?: string}
delete schema.$schema
// draft-04 `id` (e.g. "schemata/app") would re-base $refs in ajv 8; the refs here are all
// document-relative, so the ids are dropped.
function dropDraft4Ids(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) dropDraft4Ids(item)
  } else if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, unknown>
    if (typeof record.id === 'string') delete record.id
    for (const value of Object.values(record)) dropDraft4Ids(value)
  }
}

dropDraft4Ids(schema)

// Where the published schema hard-codes Heroku's own hosts, the local platform's URLs are
// checked against their local shape instead (never just dropped).
type Definitions = Record<string, {definitions: Record<string, Record<string, unknown>>}>
const definitions = schema.definitions as unknown as Definitions
definitions.app.definitions.git_url.pattern = String.raw`^http://127\.0\.0\.1:\d+/[a-z][a-z0-9-]{2,29}\.git$`
definitions.app.definitions.web_url.pattern = String.raw`^http://[a-z][a-z0-9-]{2,29}\.localhost:\d+/$`
// "format: uri" on a bare hostname rejects every real answer (Heroku's too): check it as a hostname.
delete definitions.domain.definitions.hostname.format
definitions.domain.definitions.hostname.pattern = String.raw`^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$`
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
// The schema is interagent hyper-schema (draft-04 flavoured): skip meta-validation and ignore
// its extra keywords (strictProperties, links …); formats (uuid, date-time, email) are checked.
const ajv = addFormats(new Ajv({strict: false, validateSchema: false, allErrors: true}))
ajv.addSchema(schema as object, 'platform')
const validators = new Map<string, ValidateFunction>()

function findLink(definition: string, method: string, title: string): SchemaLink {
  const link = schema.definitions[definition]?.links?.find(l => l.method === method && l.title === title)
  if (link === undefined) throw new Error(`no ${method} link titled ${title} in #/definitions/${definition}`)
  return link
}

/**
 * Asserts that `body` is what the schema's link returns: valid against its targetSchema, and —
 * stricter than the schema, whose properties are all optional — carrying every property the
 * resource defines, so a field the CLI reads is never silently missing.
 */
export function expectSchema(definition: string, method: string, title: string, body: unknown): void {
  const key = `${definition} ${method} ${title}`
  let validate = validators.get(key)
  if (validate === undefined) {
    const link = findLink(definition, method, title)
    if (link.targetSchema === undefined) throw new Error(`${key} has no targetSchema`)
    const target = JSON.parse(JSON.stringify(link.targetSchema).replaceAll('"#/definitions/', '"platform#/definitions/')) as object
    validate = ajv.compile(target)
    validators.set(key, validate)
  }

  const valid = validate(body)
  expect(valid, `${key}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`).to.equal(true)
  const link = findLink(definition, method, title) as SchemaLink & {targetSchema: {$ref?: string, items?: {$ref?: string}}}
  const ref = link.targetSchema.$ref ?? link.targetSchema.items?.$ref
  if (ref !== `#/definitions/${definition}`) return
  const properties = Object.keys(schema.definitions[definition]?.properties ?? {})
  const items = Array.isArray(body) ? body : [body]
  if (properties.length > 0 && typeof items[0] === 'object') {
    for (const item of items as Record<string, unknown>[]) {
      const missing = properties.filter(p => !(p in item))
      expect(missing, `${key}: properties missing from the response`).to.deep.equal([])
    }
  }
}

export function expectError(response: ApiResponse, status: number, id: string): void {
  expect(response.status, `${response.status} ${response.text}`).to.equal(status)
  expect(response.body).to.be.an('object')
  const body = response.body as {id: unknown, message: unknown}
  expect(body.id).to.equal(id)
  expect(body.message).to.be.a('string').and.not.equal('')
  // Heroku adds `resource` to a not_found ("app", …) and nothing else
  expect(Object.keys(body).filter(k => k !== 'resource').sort()).to.deep.equal(['id', 'message'])
  if ('resource' in body) expect(status).to.equal(404)
}
