// Delegating XPL to a provider's stake through the SDK (which approves the registry first if needed).

import { delegateStake } from "@plasma/sdk/browser";
import { type FormEvent, useId, useState } from "react";
import { type Address, parseUnits } from "viem";
import { formatWeiAsXpl, shortHash } from "../format.ts";
import { useChainAction } from "../wallet/useChainAction.ts";
import { useWallet } from "../wallet/WalletContext.ts";
import { ActionError } from "./ActionError.tsx";

/** XPL typed by a person → wei, or null when it is not a positive amount. */
function parseXpl(text: string): bigint | null {
  const trimmed = text.trim();
  if (!/^\d+(\.\d{0,18})?$|^\.\d{1,18}$/.test(trimmed)) return null;
  const wei = parseUnits(trimmed, 18);
  return wei > 0n ? wei : null;
}

export function DelegateForm({ provider, commission }: { provider: Address; commission: string }) {
  const wallet = useWallet();
  const [amountText, setAmount] = useState("");
  const amountId = useId();
  const delegate = useChainAction((client, amount: bigint) => delegateStake(client, { provider, amount }), {
    onSuccess: () => setAmount(""),
  });
  const amount = parseXpl(amountText);
  const connected = Boolean(wallet.connection?.client);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (amount === null || delegate.isPending) return;
    delegate.reset();
    delegate.mutate(amount);
  };

  return (
    <form className="form card delegate-card" onSubmit={submit} aria-label="Delegate stake">
      <h2>Delegate stake</h2>
      <p className="muted small">
        Delegated XPL backs this provider, earns a share of its rewards after its {commission} commission, and is
        slashed with it.
      </p>
      <div className="form-row">
        <label htmlFor={amountId}>Amount (XPL)</label>
        <input
          id={amountId}
          data-testid="delegate-amount"
          type="text"
          inputMode="decimal"
          placeholder="e.g. 100"
          autoComplete="off"
          value={amountText}
          onChange={(e) => setAmount(e.target.value)}
        />
      </div>
      {amountText && amount === null ? <p className="field-error">Enter an amount of XPL above 0.</p> : null}
      {connected ? null : <p className="notice">Connect a wallet (top right) to delegate.</p>}
      <ActionError error={delegate.error} />
      {delegate.isSuccess ? (
        <p className="success" role="status" data-testid="delegate-success">
          Delegated {formatWeiAsXpl(delegate.variables)} · tx {shortHash(delegate.data)}
        </p>
      ) : null}
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          data-testid="delegate-submit"
          disabled={amount === null || !connected || delegate.isPending}
        >
          {delegate.isPending ? "Delegating…" : "Delegate"}
        </button>
      </div>
    </form>
  );
}
