import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../lib/logger.js';
import { git } from './git-command.js';
import { randomText } from './secrets.js';

/** File contents for a commit; `null` deletes the path. */
export type CommitFiles = Record<string, string | Buffer | null>;

export interface CommitRequest {
  files: CommitFiles;
  message: string;
  authorName: string;
  authorEmail: string;
  branch?: string;
}

export interface CommitResult {
  sha: string;
  beforeSha: string;
  /** The `.gitlab-ci.yml` of the new commit, or null when there is none. */
  ciYaml: string | null;
}

const ZERO_SHA = '0000000000000000000000000000000000000000';

/**
 * The bare repositories, one per project, under `root` as
 * `<namespace>/<project>.git` (the layout `git http-backend` serves).
 * Commits are built with plumbing (hash-object, update-index, write-tree,
 * commit-tree, update-ref) on a private index, so no work tree exists and
 * concurrent commits to one repository are serialized.
 */
export class GitRepos {
  readonly root: string;
  #log: Logger;
  #locks = new Map<string, Promise<unknown>>();

  constructor(root: string, log: Logger) {
    this.root = root;
    this.#log = log;
  }

  repoPath(pathWithNamespace: string): string {
    return join(this.root, `${pathWithNamespace}.git`);
  }

  async init(pathWithNamespace: string): Promise<void> {
    const repo = this.repoPath(pathWithNamespace);
    await mkdir(dirname(repo), { recursive: true });
    await this.#git(null, ['init', '--bare', '--initial-branch=main', repo]);
    // Pushes over HTTP are not part of the simulator (see report).
    await this.#git(repo, ['config', 'http.receivepack', 'false']);
  }

  /** Commits `files` on top of the branch head (default `main`). */
  commit(pathWithNamespace: string, request: CommitRequest) {
    const repo = this.repoPath(pathWithNamespace);
    const previous = this.#locks.get(repo) ?? Promise.resolve();
    const next = previous.then(
      () => this.#commit(repo, request),
      () => this.#commit(repo, request),
    );
    this.#locks.set(repo, next);
    return next;
  }

  /** Points `ref` at `sha` (GitLab's persistent `refs/pipelines/<id>`). */
  async updateRef(pathWithNamespace: string, ref: string, sha: string) {
    await this.#git(this.repoPath(pathWithNamespace), ['update-ref', ref, sha]);
  }

  async #commit(repo: string, request: CommitRequest): Promise<CommitResult> {
    const ref = `refs/heads/${request.branch ?? 'main'}`;
    const parent = await this.#head(repo, ref);
    const index = join(this.root, `.index-${randomText(8)}`);
    const env = identityEnv(request, index);
    try {
      await this.#git(
        repo,
        parent ? ['read-tree', parent] : ['read-tree', '--empty'],
        env,
      );
      await this.#stage(repo, request.files, env);
      const tree = await this.#git(repo, ['write-tree'], env);
      const parents = parent ? ['-p', parent] : [];
      const sha = await this.#git(
        repo,
        ['commit-tree', tree, ...parents],
        env,
        request.message,
      );
      await this.#git(repo, ['update-ref', ref, sha, parent ?? ZERO_SHA]);
      this.#log.debug({ repo, sha }, 'commit created');
      return {
        sha,
        beforeSha: parent ?? ZERO_SHA,
        ciYaml: await this.#ciYaml(repo, sha),
      };
    } finally {
      await rm(index, { force: true });
    }
  }

  async #stage(repo: string, files: CommitFiles, env: Record<string, string>) {
    const lines: string[] = [];
    for (const [path, content] of Object.entries(files)) {
      if (content === null) {
        lines.push(`0 ${ZERO_SHA}\t${path}`);
        continue;
      }
      const blob = await this.#git(
        repo,
        ['hash-object', '-w', '--stdin'],
        env,
        content,
      );
      lines.push(`${modeOf(content)} ${blob}\t${path}`);
    }
    await this.#git(
      repo,
      ['update-index', '--index-info'],
      env,
      lines.join('\n') + '\n',
    );
  }

  async #head(repo: string, ref: string): Promise<string | null> {
    const result = await git(
      ['--git-dir', repo, 'rev-parse', '--verify', '-q', ref],
      {
        env: baseEnv(),
        okCodes: [0, 1],
      },
    );
    return result.code === 0 ? result.stdout.trim() : null;
  }

  async #ciYaml(repo: string, sha: string): Promise<string | null> {
    const result = await git(
      ['--git-dir', repo, 'cat-file', 'blob', `${sha}:.gitlab-ci.yml`],
      {
        env: baseEnv(),
        okCodes: [0, 128],
      },
    );
    return result.code === 0 ? result.stdout : null;
  }

  async #git(
    repo: string | null,
    args: string[],
    env: Record<string, string> = baseEnv(),
    input?: string | Buffer,
  ): Promise<string> {
    const prefix = repo ? ['--git-dir', repo] : [];
    const result = await git([...prefix, ...args], { env, input });
    return result.stdout.trim();
  }
}

/** Scripts (a `#!` first line) are committed executable. */
function modeOf(content: string | Buffer): string {
  const head = content.slice(0, 2).toString();
  return head === '#!' ? '100755' : '100644';
}

/** Git must not read the host's global or system configuration. */
function baseEnv(): Record<string, string> {
  return { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
}

function identityEnv(request: CommitRequest, index: string) {
  return {
    ...baseEnv(),
    GIT_INDEX_FILE: index,
    GIT_AUTHOR_NAME: request.authorName,
    GIT_AUTHOR_EMAIL: request.authorEmail,
    GIT_COMMITTER_NAME: request.authorName,
    GIT_COMMITTER_EMAIL: request.authorEmail,
  };
}
