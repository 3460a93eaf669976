import { ServerConnection } from '../../agent/server-connection.js';
import { silentLogger } from '../../lib/logger.js';
import type { FakeAgent } from './fake-agent.js';

/**
 * Connects a fake agent to a server over the real agent protocol, the way
 * `firelab agent run` connects a real one; resolves once welcomed. The
 * credential it gets on enrolment is kept in `saved` instead of a file.
 */
export async function connectRemote(
  url: string,
  fake: FakeAgent,
  auth: RemoteAuth,
): Promise<RemoteAgent> {
  const remote = startRemote(url, fake, auth);
  await remote.ready;
  return remote;
}

type RemoteAuth = { enrolmentToken?: string; credential?: string; ca?: string };

interface RemoteAgent {
  connection: ServerConnection;
  saved: { credential?: string };
  /** Settles at the first welcome or refusal. */
  ready: Promise<void>;
}

/** Like `connectRemote`, without waiting for the server's welcome. */
export function startRemote(
  url: string,
  fake: FakeAgent,
  auth: RemoteAuth,
): RemoteAgent {
  const saved: { credential?: string } = {};
  if (auth.credential) saved.credential = auth.credential;
  const connection = new ServerConnection({
    url,
    ca: auth.ca,
    credential: auth.credential,
    enrolmentToken: auth.enrolmentToken,
    saveCredential: async (credential) => {
      saved.credential = credential;
    },
    log: silentLogger(),
    backoff: { minMs: 20, maxMs: 200 },
  });
  fake.connect(connection);
  const ready = connection.connect(fake);
  return { connection, saved, ready };
}
