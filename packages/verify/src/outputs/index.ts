export {
  downloadVerifiedResults,
  NoProviderEndpointError,
  providerApiFor,
  ResultMismatchError,
} from "./downloadResults.ts";
