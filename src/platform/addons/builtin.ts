// The add-on services a platform offers unless told otherwise (PlatformOptions.addonProviders):
// one provider module per service, each running real servers (see docs/addons.md).

import type {AddonProvider} from './provider.js'

import {MailProvider} from './mail.js'
import {MemcacheProvider} from './memcache.js'
import {PostgresqlProvider} from './postgresql.js'
import {RedisProvider} from './redis.js'

export function builtinProviders(): AddonProvider[] {
  return [
    new PostgresqlProvider(),
    new RedisProvider(),
    new MemcacheProvider(),
    new MailProvider(),
  ]
}
