/**
 * A `.gitlab-ci.yml` that GitLab would reject. Its message becomes the
 * pipeline's `yaml_errors`, and the pipeline is created `failed` with no
 * jobs, as GitLab does for an invalid configuration.
 */
export class CiConfigError extends Error {
  override name = 'CiConfigError';
}
