export { createApiServer } from "./api/server.ts";
export type * from "./api/types.ts";
export {
  type Database,
  DatabaseUnreachableError,
  type OpenDatabaseOptions,
  openDatabase,
  type Queryable,
} from "./db/database.ts";
export { migrate } from "./db/migrate.ts";
export { type IndexerService, type IndexerServiceOptions, startIndexerService } from "./service.ts";
export { applyEvent, HANDLED_EVENT_TYPES } from "./store/applyEvent.ts";
export { commitRound } from "./store/eventStore.ts";
export { type ChainSync, createChainSync, DeploymentMismatchError, type SyncRound } from "./sync/chainSync.ts";
export { allEventTypes, createDecoder, type IndexedEvent } from "./sync/decode.ts";
export { createIndexer, type Indexer, type IndexerStatus } from "./sync/indexer.ts";
