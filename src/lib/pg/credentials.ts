import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'

import {parsePgUrl} from './connection.js'
import {resolveDatabase} from './resolve.js'

export interface PgCredentials {
  addon: string
  attachment: string
  database: string
  host: string
  password: string
  port: number
  url: string
  user: string
}

/** pg:credentials:url: the connection URL and its libpq form, as `heroku pg:credentials:url` prints them. */
export async function pgCredentialsUrl(opts: {api: ApiClient, app: string, database?: string, out: Output}): Promise<PgCredentials> {
  const db = await resolveDatabase({api: opts.api, app: opts.app, database: opts.database, service: 'heroku-postgresql', defaultAttachment: 'DATABASE'})
  const p = parsePgUrl(db.url)
  opts.out.log('Connection information for default credential.')
  opts.out.log('Connection info string:')
  opts.out.log(`   "dbname=${p.database} host=${p.host} port=${p.port} user=${p.user} password=${p.password} sslmode=${p.ssl ? 'require' : 'prefer'}"`)
  opts.out.log('Connection URL:')
  opts.out.log(`   ${db.url}`)
  return {addon: db.addon.name, attachment: db.attachment, url: db.url, host: p.host, port: p.port, database: p.database, user: p.user, password: p.password}
}
