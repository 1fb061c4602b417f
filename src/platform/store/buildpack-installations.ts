import type {Store} from './database.js'

export interface BuildpackInstallationRow {
  app_id: string
  name: string
  ordinal: number
  url: string
}

export function listBuildpackInstallations(store: Store, appId: string): BuildpackInstallationRow[] {
  return store.all<BuildpackInstallationRow>('SELECT * FROM buildpack_installations WHERE app_id = ? ORDER BY ordinal', appId)
}

/** Replaces the app's buildpacks (call inside a transaction). */
export function replaceBuildpackInstallations(store: Store, appId: string, buildpacks: readonly {name: string, url: string}[]): void {
  store.run('DELETE FROM buildpack_installations WHERE app_id = ?', appId)
  for (const [ordinal, buildpack] of buildpacks.entries()) {
    store.run('INSERT INTO buildpack_installations (app_id, ordinal, url, name) VALUES (?, ?, ?, ?)', appId, ordinal, buildpack.url, buildpack.name)
  }
}
