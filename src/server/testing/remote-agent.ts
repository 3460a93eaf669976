import { ServerConnection } from '../../agent/server-connection.js';
import { silentLogger } from '../../lib/logger.js';
import type { FakeAgent } from './fake-agent.js';

/**
 * Connects a fake agent to a server over the real agent protocol, the way
 * `firelab agent run` connects a real one. The credential it is given on
 * enrolment is kept on the returned object instead of a file.
 */
export async function connectRemote(
  url: string,
  fake: FakeAgent,
  auth: { enrolmentToken?: string; credential?: string; ca?: string },
): Promise<{ connection: ServerConnection; saved: { credential?: string } }> {
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
  await connection.connect(fake);
  return { connection, saved };
}
