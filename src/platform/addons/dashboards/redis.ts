// heroku-redis's dashboard: memory used / maxmemory, keys, clients, ops/s, hit rate, SLOWLOG.

import type {RedisProvider, RedisStats} from '../redis.js'

import {parseConfig} from '../../store/apps.js'
import {bytes, card, cards, count, type Html, html, percent, table} from './html.js'
import {attachmentNames} from './shared.js'
import {type DashboardRequest, secret, type ServiceDashboard, unavailable} from './view.js'

const MAX_ARG = 120

export function redisDashboard(provider: RedisProvider): ServiceDashboard {
  return {
    async render(d: DashboardRequest) {
      let stats: RedisStats | undefined
      let failure: Html | undefined
      try {
        stats = await provider.stats(d.addon.provider_id || d.addon.id)
      } catch (error) {
        failure = unavailable(error)
      }

      const url = parseConfig(d.addon.config).URL
      return {
        body: html`
        ${failure}
        ${stats === undefined ? '' : overview(stats)}
        <h2 id="connection">Connection</h2>
        ${url === undefined
          ? html`<p class="note">No connection details yet.</p>`
          : html`<dl class="kv">
          <dt>Host</dt><dd><code>127.0.0.1</code></dd>
          <dt>Port</dt><dd><code>${stats?.port ?? new URL(url).port}</code></dd>
          <dt>URL</dt><dd>${secret(url, 'Reveal URL (with password)')}</dd>
          <dt>Config vars</dt><dd>${attachmentNames(d).join(', ') || '—'}</dd>
        </dl>`}
        <h2 id="slowlog">Slow log</h2>
        ${stats === undefined
          ? ''
          : html`<p class="note">Commands slower than the server's slowlog-log-slower-than (SLOWLOG GET), newest first.</p>${table(
            ['ID', 'When', 'Duration (µs)', 'Command'],
            stats.slowlog.map(e => [String(e.id), e.at, count(e.micros), html`<code>${e.args.map(a => (a.length > MAX_ARG ? `${a.slice(0, MAX_ARG)}…` : a)).join(' ')}</code>`]),
            'The slow log is empty.', [0, 2],
          )}`}
      `,
      }
    },
  }
}

function overview(stats: RedisStats): Html {
  const {info} = stats
  const n = (key: string): number => Number(info[key] ?? Number.NaN)
  const hits = n('keyspace_hits')
  const misses = n('keyspace_misses')
  const maxmemory = n('maxmemory')
  return html`${cards([
    card('Memory used', html`${bytes(n('used_memory'))} <span class="note">of ${maxmemory > 0 ? bytes(maxmemory) : 'no limit'}</span>`),
    card('Keys', count(stats.keys)),
    card('Connected clients', count(n('connected_clients'))),
    card('Ops/s', count(n('instantaneous_ops_per_sec'))),
    card('Hit rate', html`${percent(hits, hits + misses)} <span class="note">${count(hits)} hits, ${count(misses)} misses</span>`),
  ])}
  <h2 id="server">Server</h2>
  <dl class="kv">
    <dt>Redis</dt><dd>${info.redis_version ?? '—'}</dd>
    <dt>Eviction policy</dt><dd><code>${info.maxmemory_policy ?? stats.policy}</code></dd>
    <dt>Uptime</dt><dd>${count(n('uptime_in_seconds'))} s</dd>
    <dt>Evicted keys</dt><dd>${count(n('evicted_keys'))}</dd>
    <dt>Expired keys</dt><dd>${count(n('expired_keys'))}</dd>
  </dl>`
}
