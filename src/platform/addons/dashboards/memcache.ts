// memcachier's dashboard: items, memory, hits and misses, evictions (memcached's STAT over SASL).

import type {MemcacheProvider, MemcacheStats} from '../memcache.js'

import {parseConfig} from '../../store/apps.js'
import {bytes, card, cards, count, type Html, html, percent} from './html.js'
import {attachmentNames} from './shared.js'
import {type DashboardRequest, secret, type ServiceDashboard, unavailable} from './view.js'

export function memcacheDashboard(provider: MemcacheProvider): ServiceDashboard {
  return {
    async render(d: DashboardRequest) {
      let stats: MemcacheStats | undefined
      let failure: Html | undefined
      try {
        stats = await provider.stats(d.addon.provider_id || d.addon.id)
      } catch (error) {
        failure = unavailable(error)
      }

      const config = parseConfig(d.addon.config)
      return {
        body: html`
        ${failure}
        ${stats === undefined ? '' : overview(stats)}
        <h2 id="connection">Connection</h2>
        ${config.SERVERS === undefined
          ? html`<p class="note">No connection details yet.</p>`
          : html`<dl class="kv">
          <dt>Servers</dt><dd><code>${config.SERVERS}</code></dd>
          <dt>Username</dt><dd><code>${config.USERNAME ?? ''}</code></dd>
          <dt>Password</dt><dd>${secret(config.PASSWORD ?? '', 'Reveal password')}</dd>
          <dt>Config vars</dt><dd>${attachmentNames(d).join(', ') || '—'}</dd>
        </dl>`}
      `,
      }
    },
  }
}

function overview({stats, memoryMb}: MemcacheStats): Html {
  const n = (key: string): number => Number(stats[key] ?? Number.NaN)
  const hits = n('get_hits')
  const misses = n('get_misses')
  const limit = Number.isFinite(n('limit_maxbytes')) ? n('limit_maxbytes') : memoryMb * 1024 * 1024
  return html`${cards([
    card('Items', count(n('curr_items'))),
    card('Memory', html`${bytes(n('bytes'))} <span class="note">of ${bytes(limit)}</span>`),
    card('Hits', count(hits)),
    card('Misses', count(misses)),
    card('Hit rate', percent(hits, hits + misses)),
    card('Evictions', count(n('evictions'))),
  ])}
  <h2 id="server">Server</h2>
  <dl class="kv">
    <dt>memcached</dt><dd>${stats.version ?? '—'}</dd>
    <dt>Connections</dt><dd>${count(n('curr_connections'))}</dd>
    <dt>Items stored since start</dt><dd>${count(n('total_items'))}</dd>
    <dt>Uptime</dt><dd>${count(n('uptime'))} s</dd>
  </dl>`
}
