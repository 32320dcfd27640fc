// A throwaway npm registry: Verdaccio, in this process, on loopback, with its storage in a
// directory the caller deletes. No uplinks: it serves only what is published to it, so nothing
// installed through it can come from (or anything published leak to) a public registry.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReleaseError } from './proc.mjs';

/** Port 9 (discard) on loopback: nothing listens there, so a connection is refused at once. */
const DEAD_PROXY = 'http://127.0.0.1:9';

/** Verdaccio's own port; another is picked when it is taken. */
export const DEFAULT_PORT = 4873;

/**
 * @param {{ dir: string, host?: string, port?: number }} options
 * @returns {Promise<{ url: string, host: string, port: number, note: string,
 *   close: () => Promise<void> }>}
 */
export async function startRegistry({ dir, host = '127.0.0.1', port = DEFAULT_PORT }) {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const configPath = join(dir, 'config.yaml');
  writeFileSync(
    configPath,
    [
      'storage: ./storage',
      'auth:',
      '  htpasswd:',
      '    file: ./htpasswd',
      '    max_users: 10',
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    unpublish: $authenticated',
      'web:',
      '  enable: false',
      // pino's file destination opens asynchronously and throws when the process exits before;
      // stdout is ready at once, and at level fatal it stays quiet.
      'log: { type: stdout, format: json, level: fatal }',
      '',
    ].join('\n'),
  );

  let server;
  try {
    const { runServer } = await import('verdaccio');
    server = await runServer(configPath);
  } catch (error) {
    throw new ReleaseError(
      `the registry server (Verdaccio) could not start: ${oneLine(error)}; check that \`pnpm install\` ran`,
    );
  }

  let note = '';
  let actual;
  try {
    actual = await listen(server, port, host);
  } catch (error) {
    if (error.code !== 'EADDRINUSE' || port === 0) {
      server.close();
      throw new ReleaseError(
        `the registry server could not listen on ${host}:${port}: ${oneLine(error)}; pass --host 127.0.0.1 or another --port`,
      );
    }
    actual = await listen(server, 0, host);
    note = `port ${port} is taken; the registry listens on ${actual} instead`;
  }
  const url = `http://${host}:${actual}/`;
  const close = () =>
    new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  try {
    const ping = await fetch(`${url}-/ping`);
    if (!ping.ok) throw new Error(`GET /-/ping answered ${ping.status}`);
  } catch (error) {
    await close();
    throw new ReleaseError(`the registry server at ${url} does not answer: ${oneLine(error)}`);
  }
  return { url, host, port: actual, note, close };
}

/** Resolves with the bound port, rejects with the listen error (EADDRINUSE, EADDRNOTAVAIL ...). */
function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    const onError = (error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address().port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Creates a user on the registry (npm adduser's request) and returns its token.
 * @param {string} url
 */
export async function addUser(url, name = 'pfmsim-release', password = 'pfmsim-release-verify') {
  const res = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password, email: `${name}@localhost`, type: 'user', roles: [] }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || typeof body.token !== 'string') {
    throw new ReleaseError(`the registry refused to create a user: ${res.status} ${JSON.stringify(body)}`);
  }
  return body.token;
}

/**
 * Writes an npmrc that names only this registry (for every scope) with the user's token, and
 * returns the environment that makes npm and pnpm use it and nothing else: inherited npm/pnpm
 * settings are dropped by the caller (cleanEnv), the user and global npmrc are replaced, and
 * every other host is behind a dead proxy.
 * @param {{ url: string, host: string, port: number }} registry
 * @param {string} token
 * @param {string} dir where the npmrc files and the npm cache go
 */
export function registryEnv(registry, token, dir) {
  mkdirSync(dir, { recursive: true });
  const userconfig = join(dir, 'npmrc');
  const globalconfig = join(dir, 'npmrc-global');
  writeFileSync(
    userconfig,
    [
      `registry=${registry.url}`,
      `@pfmsim:registry=${registry.url}`,
      `//${registry.host}:${registry.port}/:_authToken=${token}`,
      'audit=false',
      'fund=false',
      'update-notifier=false',
      `proxy=${DEAD_PROXY}`,
      `https-proxy=${DEAD_PROXY}`,
      `noproxy=${registry.host}`,
      'fetch-retries=0',
      '',
    ].join('\n'),
  );
  writeFileSync(globalconfig, '');
  return {
    npm_config_registry: registry.url,
    'npm_config_@pfmsim:registry': registry.url,
    npm_config_userconfig: userconfig,
    npm_config_globalconfig: globalconfig,
    npm_config_cache: join(dir, 'npm-cache'),
    npm_config_update_notifier: 'false',
    // Any request that is not for this registry goes to a proxy that refuses connections:
    // a public registry cannot be reached even by a tool that ignores the registry setting.
    npm_config_proxy: DEAD_PROXY,
    npm_config_https_proxy: DEAD_PROXY,
    npm_config_noproxy: registry.host,
    npm_config_fetch_retries: '0',
    HTTP_PROXY: DEAD_PROXY,
    HTTPS_PROXY: DEAD_PROXY,
    NO_PROXY: registry.host,
    http_proxy: DEAD_PROXY,
    https_proxy: DEAD_PROXY,
    no_proxy: registry.host,
  };
}

/**
 * The versions of a package the registry holds ([] when it has none).
 * @param {string} url @param {string} name
 */
export async function publishedVersions(url, name) {
  const res = await fetch(`${url}${name.replace('/', '%2f')}`);
  if (res.status === 404) return [];
  if (!res.ok) throw new ReleaseError(`the registry answered ${res.status} for ${name}`);
  const body = await res.json();
  return Object.keys(body.versions ?? {});
}

function oneLine(error) {
  return String(error?.message ?? error).split('\n')[0];
}
