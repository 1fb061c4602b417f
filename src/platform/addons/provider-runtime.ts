// What each add-on provider gets from the platform when it starts (provider.ts ProviderRuntime):
// its own directory, the supervisor's add-on servers, the logs of the apps its add-ons are
// attached to, and the way to finish an asynchronous provisioning.
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'

import type {PlatformContext} from '../api/context.js'
import type {ServiceProcesses} from '../dynos/service-processes.js'
import type {SandboxStatus} from '../sandbox/sandbox.js'
import type {AddonProvider, ProviderRuntime} from './provider.js'

import {listAddonAttachments, listServiceAddons} from '../store/addons.js'
import {completeProvisioning, failProvisioning, provisioned} from './lifecycle.js'

/** DATA/addons/<service>: where a service keeps its servers' data */
export const serviceDir = (dataDir: string, service: string): string => join(dataDir, 'addons', service)

export function providerRuntime(platform: PlatformContext, provider: AddonProvider, services: ServiceProcesses | undefined, sandbox: SandboxStatus): ProviderRuntime {
  const service = provider.service.name
  const dir = serviceDir(platform.dataDir, service)
  mkdirSync(dir, {recursive: true, mode: 0o700})
  return {
    dir,
    services,
    sandbox,
    log: line => platform.log(`[${service}] ${line}`),
    addonLog(addonId, source, message) {
      for (const attachment of listAddonAttachments(platform.store, addonId)) {
        platform.logs?.write({appId: attachment.app_id, source: 'heroku', dyno: source, message})
      }
    },
    addons: () => listServiceAddons(platform.store, service, ['provisioning', 'provisioned']).map(a => provisioned(a)),
    apiUrl: platform.urls.api,
    completeProvisioning: (addonId, result) => completeProvisioning(platform, addonId, result),
    failProvisioning: (addonId, reason) => failProvisioning(platform, addonId, reason),
  }
}
