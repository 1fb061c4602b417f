// heroku-postgresql's dashboard: connection info (password hidden until revealed), server version,
// database size, tables with row counts and sizes, active connections, backups.

import type {PostgresqlProvider, PostgresStats} from '../postgresql.js'

import {parseConfig} from '../../store/apps.js'
import {listAddonTransfers, transferName} from '../../store/pg-backups.js'
import {reconcileTransfers} from '../pg-backups.js'
import {bytes, card, cards, count, type Html, html, table} from './html.js'
import {attachmentNames} from './shared.js'
import {type DashboardRequest, secret, type ServiceDashboard, unavailable} from './view.js'

export function postgresDashboard(provider: PostgresqlProvider): ServiceDashboard {
  return {
    async render(d: DashboardRequest) {
      const config = parseConfig(d.addon.config)
      let stats: PostgresStats | undefined
      let failure: Html | undefined
      try {
        stats = await provider.stats({addonId: d.addon.id, providerId: d.addon.provider_id, plan: d.addon.plan})
      } catch (error) {
        failure = unavailable(error)
      }

      return {
        body: html`
        ${failure}
        ${stats === undefined
          ? ''
          : cards([
            card('PostgreSQL', stats.version),
            card('Database size', html`${bytes(stats.databaseSize)} <span class="note">of ${stats.storageLimit}</span>`),
            card('Tables', count(stats.tables.length)),
            card('Connections', html`${count(stats.connections.length)} <span class="note">of ${stats.connectionLimit}</span>`),
          ])}
        <h2 id="connection">Connection</h2>
        ${connectionInfo(config.URL, attachmentNames(d))}
        <h2 id="tables">Tables</h2>
        ${stats === undefined
          ? ''
          : table(
            ['Table', 'Rows', 'Size'],
            stats.tables.map(t => [html`<code>${t.schema === 'public' ? t.name : `${t.schema}.${t.name}`}</code>`, t.exact ? count(t.rows) : `≈ ${count(t.rows)}`, bytes(t.bytes)]),
            'No tables yet.', [1, 2],
          )}
        <h2 id="connections">Active connections</h2>
        ${stats === undefined
          ? ''
          : table(
            ['PID', 'User', 'Application', 'Client', 'State', 'Since'],
            stats.connections.map(c => [String(c.pid), c.user, c.applicationName || '—', c.client ?? 'local socket', c.state ?? '—', c.since]),
            'No client is connected.', [0],
          )}
        <h2 id="backups">Backups</h2>
        ${backups(d)}
      `,
      }
    },
  }
}

function connectionInfo(url: string | undefined, vars: string[]): Html {
  if (url === undefined) return html`<p class="note">No connection details yet (the add-on is not provisioned).</p>`
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return html`<p class="note">The add-on's URL is unreadable.</p>`
  }

  return html`<dl class="kv">
    <dt>Host</dt><dd><code>${parsed.hostname}</code></dd>
    <dt>Port</dt><dd><code>${parsed.port || '5432'}</code></dd>
    <dt>Database</dt><dd><code>${decodeURIComponent(parsed.pathname.slice(1))}</code></dd>
    <dt>User</dt><dd><code>${decodeURIComponent(parsed.username)}</code></dd>
    <dt>Password</dt><dd>${secret(decodeURIComponent(parsed.password), 'Reveal password')}</dd>
    <dt>URL</dt><dd>${secret(url, 'Reveal URL')}</dd>
    <dt>Config vars</dt><dd>${vars.length === 0 ? '—' : vars.map((v, i) => html`${i > 0 ? ', ' : ''}<code>${v}</code>`)}</dd>
  </dl>`
}

/** The add-on's backups (pg:backups, addons/pg-backups.ts), newest first. */
function backups(d: DashboardRequest): Html {
  try {
    reconcileTransfers(d.platform, d.addon.id)
    const list = listAddonTransfers(d.platform.store, d.addon.id, 'backup')
    return table(
      ['Backup', 'Status', 'Created', 'Finished', 'Size'],
      list.map(b => [transferName(b), b.status === 'failed' && b.error ? `failed: ${b.error}` : b.status, b.created_at, b.finished_at ?? '—', bytes(b.size_bytes)]),
      `No backups yet: heroku pg:backups:capture --app ${d.app.name} makes one.`, [4],
    )
  } catch (error) {
    return unavailable(error)
  }
}
