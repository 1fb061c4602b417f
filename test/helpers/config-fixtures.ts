// Config values and a release shared by the config command tests and the lib/config tests.

/** Values every config path must carry unchanged: shell metacharacters, quotes, `=`, newlines, blanks. */
export const TRICKY: Record<string, string> = {
  // eslint-disable-next-line no-template-curly-in-string -- shell expansions every config path must carry literally
  DOLLAR: 'cost $HOME $(echo hacked) `id` ${PATH}',
  EMPTY: '',
  EQUALS: 'a=b=c',
  MULTI: 'line one\nline two\n',
  QUOTES: String.raw`it's "quoted" '' \ back\slash`,
  SPACES: '  leading and trailing  ',
}

/** A release of my-app as the Platform API shows it, made by a config change. */
export const release = (version: number) => ({
  addon_plan_names: [], app: {id: 'a1', name: 'my-app'}, created_at: '2026-01-01T00:00:00Z', current: true,
  description: 'Set FOO config vars', id: `rel-${version}`, output_stream_url: null, slug: null, status: 'succeeded',
  updated_at: '2026-01-01T00:00:00Z', user: {email: 'jane@example.com', id: 'u1'}, version,
})
