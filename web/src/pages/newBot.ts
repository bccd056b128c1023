// A new bot begins as a draft: a template's file with its `bot:` set to the
// new slug, or a one-node starter. Pure, so it is unit-tested.

/** Slugs as the server takes them: lower-case letters, digits, - and _. */
export const SLUG = /^[a-z][a-z0-9_-]{0,62}$/

/** The file a new bot starts with: the template's with its `bot:` line replaced, or a starter. */
export function newBotSource(slug: string, template?: { id: string; source: string }): string {
  if (!template) {
    return `bot: ${slug}\nnodes:\n  hello:\n    kind: message\n    text: Hello!\n`
  }
  const line = new RegExp(`^bot:[ \\t]*${template.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ \\t]*$`, 'm')
  return line.test(template.source)
    ? template.source.replace(line, `bot: ${slug}`)
    : `bot: ${slug}\n` + template.source.replace(/^bot:.*$/m, '').replace(/^\n/, '')
}
