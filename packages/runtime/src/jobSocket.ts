// Connecting to a socket a job made. The node connects from the host, as root, to a path inside the job's
// work area; connect(2) follows symbolic links, so a job that put a link there (to the Docker engine's
// socket, another lease's server, …) would have the node talk to that instead. The node opens the path
// without following links (O_PATH | O_NOFOLLOW), checks that it is a socket, and connects through its
// descriptor: what it reaches is the inode it checked, whatever the job renames afterwards.
import { closeSync, constants, fstatSync, openSync } from "node:fs";
import { Agent, type AgentOptions } from "node:http";
import { createConnection, Socket } from "node:net";

/** Linux's O_PATH (the same on x86-64 and arm64); Node does not export it. */
const O_PATH = 0o10000000;

/** The path is not a socket the job listens on (a link, a file, nothing). */
export class JobSocketError extends Error {
  override name = "JobSocketError";
}

/**
 * Connects to the Unix socket at `path` (in a job's work area) without following a link the job planted.
 * Errors (not a socket, a link, nothing there) come as the socket's `error` event, as any connection error.
 */
export function connectJobSocket(path: string): Socket {
  let fd: number;
  try {
    // With O_NOFOLLOW, O_PATH opens a link itself rather than failing: the check below sees a link.
    fd = openSync(path, O_PATH | constants.O_NOFOLLOW);
  } catch (error) {
    return failed(error as Error);
  }
  let kind = "not a socket";
  try {
    const stat = fstatSync(fd);
    if (stat.isSocket()) kind = "socket";
    else if (stat.isSymbolicLink()) kind = "a symbolic link, not the job's socket";
  } catch {
    // unreadable: not a socket
  }
  if (kind !== "socket") {
    closeSync(fd);
    return failed(new JobSocketError(`${path} is ${kind}`));
  }
  const socket = createConnection(`/proc/self/fd/${fd}`);
  let open = true;
  const release = () => {
    if (open) closeSync(fd);
    open = false;
  };
  socket.once("connect", release);
  socket.once("close", release);
  return socket;
}

function failed(error: Error): Socket {
  const socket = new Socket();
  process.nextTick(() => socket.destroy(error));
  return socket;
}

/** An HTTP agent whose connections to a job's socket (`socketPath` of each request) go through {@link connectJobSocket}. */
export class JobSocketAgent extends Agent {
  constructor(options?: AgentOptions) {
    super(options);
  }
  override createConnection(options: { socketPath?: string }): Socket {
    if (!options.socketPath) return failed(new JobSocketError("no job socket given"));
    return connectJobSocket(options.socketPath);
  }
}
