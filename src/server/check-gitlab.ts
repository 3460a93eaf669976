import { GitlabApiError } from '../gitlab/client.js';
import type { GitlabClient } from '../gitlab/client.js';
import { errorMessage, UserError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';

/**
 * Before a server says it is up: can its token read every project it is
 * to serve? A refused token or an unknown project is a configuration
 * mistake and stops startup with a line naming it; a GitLab that is down
 * or failing is not (it may come back), so that is only logged.
 */
export async function checkGitlab(
  gitlab: GitlabClient,
  projects: readonly number[],
  log: Logger,
): Promise<void> {
  for (const projectId of projects) {
    try {
      await gitlab.getProject(projectId);
    } catch (error) {
      if (error instanceof GitlabApiError && error.status === 401)
        throw new UserError(
          `gitlab.token: GitLab refuses it (${errorMessage(error)})`,
        );
      if (
        error instanceof GitlabApiError &&
        (error.status === 403 || error.status === 404)
      )
        throw new UserError(
          `gitlab.projects: project ${projectId} cannot be read with this token (${errorMessage(error)})`,
        );
      log.warn(
        { projectId, err: errorMessage(error) },
        'GitLab could not be checked at startup; going on',
      );
      return;
    }
  }
}
