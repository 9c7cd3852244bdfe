export * from "./compare/index.ts";
export * from "./hardware/index.ts";
export * from "./outputs/index.ts";
