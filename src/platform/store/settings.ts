import {randomBytes} from 'node:crypto'

import type {Store} from './database.js'

/** A random key generated on first start, used to derive capability URLs with an HMAC. */
export function urlSigningKey(store: Store): Buffer {
  return store.transaction(() => {
    const row = store.get<{value: string}>("SELECT value FROM platform_settings WHERE key = 'url_signing_key'")
    if (row) return Buffer.from(row.value, 'base64')
    const key = randomBytes(32)
    store.run("INSERT INTO platform_settings (key, value) VALUES ('url_signing_key', ?)", key.toString('base64'))
    return key
  })
}
