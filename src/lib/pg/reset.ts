import type {ApiClient} from '../api/client.js'
import type {Output} from '../ui/output.js'
import type {Prompter} from '../ui/prompter.js'

import {confirmDestructive} from '../apps/confirm.js'
import {withClient} from './connection.js'
import {resolveDatabase} from './resolve.js'

export interface PgResetResult {
  addon: string
  attachment: string
  /** the schemas dropped (public is made again, empty) */
  dropped_schemas: string[]
}

/**
 * pg:reset: every schema the database's role owns (public included) dropped with all it holds,
 * then an empty `public` — what Heroku's reset leaves: an empty database with the same URL.
 */
export async function pgReset(opts: {api: ApiClient, app: string, confirm?: string, database?: string, out: Output, prompter: Prompter}): Promise<PgResetResult> {
  const db = await resolveDatabase({api: opts.api, app: opts.app, database: opts.database, service: 'heroku-postgresql', defaultAttachment: 'DATABASE'})
  await confirmDestructive({action: `destroy all data in ${db.addon.name} (${db.configVar}) of ${opts.app}`, app: opts.app, confirm: opts.confirm, out: opts.out, prompter: opts.prompter})
  const spinner = await opts.out.spinner(`Resetting ${db.addon.name}`)
  try {
    const dropped = await withClient(db.url, async client => {
      await client.query('BEGIN')
      const {rows} = await client.query<{name: string}>(`
        SELECT n.nspname AS name FROM pg_namespace n
        WHERE (pg_has_role(n.nspowner, 'USAGE') OR n.nspname = 'public')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
        ORDER BY 1`)
      for (const {name} of rows) {
        await client.query(`DROP SCHEMA ${quoteIdent(name)} CASCADE`)
      }

      await client.query('CREATE SCHEMA public')
      await client.query('COMMIT')
      return rows.map(r => r.name)
    })
    spinner.succeed()
    return {addon: db.addon.name, attachment: db.attachment, dropped_schemas: dropped}
  } catch (error) {
    spinner.fail()
    throw error
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
