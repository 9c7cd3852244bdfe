import { modelServerFiles } from "@plasma/model-server";
import { SANDBOX_TOOLS_DIR } from "@plasma/runtime";

/**
 * What the node lends every sandboxed job, read-only under /opt/plasma: this Node.js (bin/node, on PATH) and
 * the ONNX model server with its runtime, so that `plasma serve MODEL.onnx` needs nothing from the client but
 * the model. Only code that is public anyway; none of the node's keys, state or configuration.
 */
export function sandboxTools(): { source: string; target: string }[] {
  const server = modelServerFiles();
  return [
    { source: process.execPath, target: `${SANDBOX_TOOLS_DIR}/bin/node` },
    { source: server.serverDir, target: `${SANDBOX_TOOLS_DIR}/model-server` },
    ...server.nodeModules.map((m) => ({ source: m.path, target: `${SANDBOX_TOOLS_DIR}/node_modules/${m.name}` })),
  ];
}
