import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKLOAD_RENAMES } from '../../common/config.ts';
import { createRenamer } from './rename.ts';

describe('createRenamer', () => {
  it("folds Gitea act_runner's per-job containers into one workload by default", () => {
    const rename = createRenamer(DEFAULT_WORKLOAD_RENAMES);
    expect(rename('GITEA-ACTIONS-TASK-1234_WORKFLOW-ci_JOB-build')).toBe('gitea-actions/jobs');
    expect(rename('GITEA-ACTIONS-TASK-1235_WORKFLOW-release_JOB-publish')).toBe('gitea-actions/jobs');
    expect(rename('dockersd/mysql')).toBe('dockersd/mysql');
  });

  it('splits per workflow with a capture group, first matching rule wins', () => {
    const rename = createRenamer([
      { match: 'GITEA-ACTIONS-TASK-\\d+_WORKFLOW-(.+)_JOB-.*', workload: 'gitea-actions/$1' },
      { match: 'GITEA-.*', workload: 'never' },
    ]);
    expect(rename('GITEA-ACTIONS-TASK-7_WORKFLOW-nightly_JOB-test')).toBe('gitea-actions/nightly');
  });

  it('matches whole names only', () => {
    const rename = createRenamer([{ match: 'web', workload: 'frontend' }]);
    expect(rename('web')).toBe('frontend');
    expect(rename('webhook-relay')).toBe('webhook-relay');
  });
});
