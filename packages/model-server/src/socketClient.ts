// Host side: one completion request to a model server on its Unix socket (the benchmarks' direct path).
import { type Agent, request } from "node:http";

/** POSTs `body` to /v1/completions on the server at `socketPath`; resolves once the whole answer was read. */
export function postCompletion(socketPath: string, agent: Agent, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, agent, method: "POST", path: "/v1/completions", headers: { "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
