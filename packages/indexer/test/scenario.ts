// Market activity on a test devnet, made with the SDK: what the indexer tests and the web app tests
// index and display.
import {
  castVote,
  completeLease,
  createOffer,
  delegateStake,
  delegateVotes,
  openChannel,
  openLease,
  propose,
  registerProvider,
  settleLease,
  stake,
  stakeValidator,
  startLease,
  updateOffer,
} from "@plasma/sdk";
import { keccak256, parseEther, toHex } from "viem";
import type { TestNet } from "../../sdk/test/helpers.ts";

/** XPL wei per GPU-second for a price per GPU-hour in XPL. */
export const perSecond = (xplPerHour: string) => parseEther(xplPerHour) / 3600n;

/**
 * Two providers with three offers (H100 at 2.5 and 3.6 XPL/h, A100 at 1.2), a delegation, and two
 * leases: one completed, one still running (and settled so far).
 */
export async function seedMarket(net: TestNet) {
  const p1 = net.as("provider1");
  const p2 = net.as("provider2");
  await registerProvider(p1, { endpoint: "http://127.0.0.1:8701", attributes: '{"country":"DE"}' });
  await stake(p1, { amount: parseEther("5000") });
  await registerProvider(p2, { endpoint: "http://127.0.0.1:8702", attributes: '{"country":"US"}' });
  await stake(p2, { amount: parseEther("2000") });
  const h100 = await createOffer(p1, {
    gpuModel: "H100",
    vramGb: 80,
    gpuCount: 8,
    pricePerGpuSecond: perSecond("2.5"),
    region: "eu",
  });
  const a100 = await createOffer(p1, {
    gpuModel: "A100",
    vramGb: 40,
    gpuCount: 4,
    pricePerGpuSecond: perSecond("1.2"),
    region: "eu",
  });
  const h100b = await createOffer(p2, {
    gpuModel: "H100",
    vramGb: 80,
    gpuCount: 2,
    pricePerGpuSecond: perSecond("3.6"),
    region: "us",
  });
  await delegateStake(net.as("builder"), {
    provider: p1.account?.address as `0x${string}`,
    amount: parseEther("1000"),
  });

  const client = net.as("client");
  const done = await openLease(client, {
    offerId: h100.offerId,
    gpus: 2,
    maxSeconds: 3600,
    specHash: keccak256(toHex("spec")),
  });
  await startLease(p1, { leaseId: done.leaseId });
  await net.warp(120);
  await completeLease(p1, { leaseId: done.leaseId, resultHash: keccak256(toHex("result")) });
  const running = await openLease(client, { offerId: a100.offerId, gpus: 1, maxSeconds: 7200 });
  await startLease(p1, { leaseId: running.leaseId });
  // A price change: the price index must show both prices over time.
  await net.warp(60);
  await settleLease(p1, { leaseId: running.leaseId }); // a running lease pays out what it has used so far
  await updateOffer(p2, { offerId: h100b.offerId, pricePerGpuSecond: perSecond("3.0"), gpuCount: 2, active: true });
  return {
    offers: { h100: h100.offerId, a100: a100.offerId, h100b: h100b.offerId },
    leases: { done: done.leaseId, running: running.leaseId },
  };
}

/** A governance proposal with a vote for it, a payment channel and a staked validator. */
export async function seedNetwork(net: TestNet) {
  const voter = net.as("client");
  await delegateVotes(voter, { to: voter.account?.address as `0x${string}` });
  const builder = net.as("builder"); // votes later, from the web app
  await delegateVotes(builder, { to: builder.account?.address as `0x${string}` });
  await net.warp(1); // votes count from the second after delegating
  const proposal = await propose(voter, {
    actions: [{ kind: "set-parameter", name: "protocolFeeBps", value: 400n }],
    description: "Lower the protocol fee to 4 %",
  });
  await net.warp(61); // past the devnet's voting delay
  await castVote(voter, proposal.id, "for");
  await openChannel(net.as("client"), {
    provider: net.as("provider1").account?.address as `0x${string}`,
    amount: parseEther("5"),
  });
  await stakeValidator(net.as("validator"), parseEther("10000"));
  return { proposalId: proposal.id };
}
