// Renting an offer: GPUs, hours and verification, the escrow it will lock, then the SDK's openLease
// (which approves or signs a permit as needed). On success the new lease's page opens.

import type { Offer } from "@plasma/indexer/api-types";
import { openLease, type VerificationMode } from "@plasma/sdk/browser";
import { type FormEvent, useId, useState } from "react";
import { useNavigate } from "react-router";
import { formatDecimal, formatWeiAsXpl, shortAddress } from "../format.ts";
import { useChainAction } from "../wallet/useChainAction.ts";
import { useWallet } from "../wallet/WalletContext.ts";
import { ActionError } from "./ActionError.tsx";
import { Modal } from "./Modal.tsx";

type RentInput = { offerId: bigint; gpus: number; maxSeconds: number; verification: VerificationMode };

/** GPUs and seconds from the form, or why they are not valid. */
function parseRent(offer: Offer, gpusText: string, hoursText: string): { gpus: number; seconds: number } | string {
  const gpus = Number(gpusText);
  if (!Number.isInteger(gpus) || gpus < 1) return "Ask for a whole number of GPUs, at least 1.";
  if (gpus > offer.freeGpus) return `This offer has ${offer.freeGpus} free GPU${offer.freeGpus === 1 ? "" : "s"}.`;
  const hours = Number(hoursText);
  if (!Number.isFinite(hours) || hours <= 0) return "Enter a duration in hours above 0.";
  const seconds = Math.round(hours * 3600);
  if (seconds < 1) return "Enter a duration of at least one second.";
  return { gpus, seconds };
}

export function RentDialog({ offer, onClose }: { offer: Offer; onClose: () => void }) {
  const wallet = useWallet();
  const navigate = useNavigate();
  const [gpusText, setGpus] = useState("1");
  const [hoursText, setHours] = useState("1");
  const [verification, setVerification] = useState<VerificationMode>("none");
  const ids = { gpus: useId(), hours: useId(), verification: useId() };
  const rent = useChainAction((client, input: RentInput) => openLease(client, input), {
    onSuccess: (result) => navigate(`/leases/${result.leaseId.toString()}`),
  });

  const parsed = parseRent(offer, gpusText, hoursText);
  const valid = typeof parsed !== "string";
  // The escrow is price × GPUs × seconds, exact in wei; the verification fee comes on top of it.
  const escrow = valid ? BigInt(offer.pricePerGpuSecondWei) * BigInt(parsed.gpus) * BigInt(parsed.seconds) : null;
  const connected = Boolean(wallet.connection?.client);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!valid || rent.isPending) return;
    rent.mutate({ offerId: BigInt(offer.id), gpus: parsed.gpus, maxSeconds: parsed.seconds, verification });
  };

  return (
    <Modal title={`Rent ${offer.gpuModel} from ${shortAddress(offer.provider)}`} onClose={onClose} testId="rent-dialog">
      <form className="form" onSubmit={submit}>
        <p className="muted">
          Offer #{offer.id} · {offer.vramGb} GB VRAM · {offer.region} · {formatDecimal(offer.pricePerGpuHourXpl)} XPL
          per GPU-hour
        </p>
        <div className="form-row">
          <label htmlFor={ids.gpus}>GPUs (1–{offer.freeGpus})</label>
          <input
            id={ids.gpus}
            data-testid="rent-gpus"
            type="number"
            min={1}
            max={offer.freeGpus}
            step={1}
            value={gpusText}
            onChange={(e) => setGpus(e.target.value)}
            required
          />
        </div>
        <div className="form-row">
          <label htmlFor={ids.hours}>Hours (at most)</label>
          <input
            id={ids.hours}
            data-testid="rent-hours"
            type="number"
            min={0.01}
            step="any"
            value={hoursText}
            onChange={(e) => setHours(e.target.value)}
            required
          />
        </div>
        <div className="form-row">
          <label htmlFor={ids.verification}>Verification</label>
          <select
            id={ids.verification}
            data-testid="rent-verification"
            value={verification}
            onChange={(e) => setVerification(e.target.value === "exact" ? "exact" : "none")}
          >
            <option value="none">None</option>
            <option value="exact">Exact (a validator may re-run it; adds a fee)</option>
          </select>
        </div>
        <div className="rent-summary" data-testid="rent-escrow">
          {escrow === null ? (
            <span className="field-error">{parsed as string}</span>
          ) : (
            <>
              Escrow: <strong>{formatWeiAsXpl(escrow, 6)}</strong>
              {verification === "exact" ? " plus the verification fee" : ""}. Unused time is refunded.
            </>
          )}
        </div>
        {connected ? null : (
          <p className="notice" data-testid="rent-connect-first">
            Connect a wallet (top right) to rent.
          </p>
        )}
        <ActionError error={rent.error} />
        <div className="form-actions">
          <button type="button" className="button button-quiet" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button-primary"
            data-testid="rent-submit"
            disabled={!valid || !connected || rent.isPending}
          >
            {rent.isPending ? "Opening lease…" : "Open lease"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
