/** A build failure the pusher can act on: its message is shown as the reason. */
export class BuildFailure extends Error {}
