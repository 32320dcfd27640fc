// The release notes changesets writes into each package's CHANGELOG.md. Differs from
// @changesets/cli/changelog in two ways: no commit hashes (they link nowhere without a public
// repository), and a dependency bump is one line naming the new versions, left out when the
// dependency is itself being released for the first time (every package's first release
// would otherwise repeat "Updated dependencies" once per internal dependency).

/** @type {import('@changesets/types').ChangelogFunctions['getReleaseLine']} */
async function getReleaseLine(changeset) {
  const [first, ...rest] = changeset.summary.trim().split('\n');
  return [`- ${first}`, ...rest.map((line) => (line.trim() === '' ? '' : `  ${line}`))].join('\n');
}

/** @type {import('@changesets/types').ChangelogFunctions['getDependencyReleaseLine']} */
async function getDependencyReleaseLine(_changesets, dependenciesUpdated) {
  const news = dependenciesUpdated.filter((dep) => dep.oldVersion !== '0.0.0');
  if (news.length === 0) return '';
  return `- Updated dependencies: ${news.map((dep) => `\`${dep.name}@${dep.newVersion}\``).join(', ')}`;
}

module.exports = { getReleaseLine, getDependencyReleaseLine };
