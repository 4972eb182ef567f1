// Job DSL: the "create my stack" job, for a seed job or configuration as code (jobs: - file: …/create-my-stack.groovy).
// Set the repository URL to where this repository lives on your Git server.
pipelineJob('create-my-stack') {
  description('Creates an ephemeral stack of every service from L3 (or a manifest version) for you; reaped when idle.')
  parameters {
    stringParam('STACK_NAME', '', 'The stack\'s name: a DNS-1123 label such as alice-dev or pr-42.')
    stringParam('OWNER', '', 'Who the stack is for. Empty: you.')
    stringParam('MANIFEST', 'l3', 'l3 (the current L3) or a version of the manifest chart.')
    stringParam('TTL', '7d', 'How long it may stay idle before it is reaped, e.g. 36h or 7d.')
    stringParam('PURPOSE', '', 'Why the stack exists (shown in stack lists and reap warnings).')
  }
  definition {
    cpsScm {
      scm {
        git {
          remote {
            url('https://git.example.com/platform/stackpipe.git')
          }
          branch('main')
        }
      }
      scriptPath('jobs/create-my-stack.Jenkinsfile')
      lightweight(true)
    }
  }
}
