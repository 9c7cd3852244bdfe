// The header's wallet control: a connect menu (browser wallet; dev accounts on a devnet), or the
// connected account with its XPL balance and a Disconnect button.

import { formatXpl } from "@plasma/sdk/browser";
import { useEffect, useRef, useState } from "react";
import { shortAddress } from "../format.ts";
import { useXplBalance } from "../wallet/useXplBalance.ts";
import { useWallet } from "../wallet/WalletContext.ts";

function Balance() {
  const balance = useXplBalance();
  if (balance.data !== undefined) {
    // formatXpl gives every decimal ("1234.56789 XPL"); two are enough in the header.
    const [amount = "0"] = formatXpl(balance.data).split(" ");
    const [whole = "0", fraction = ""] = amount.split(".");
    const short = `${Number(whole).toLocaleString()}${fraction ? `.${fraction.slice(0, 2)}` : ""}`;
    return (
      <span className="wallet-balance" data-testid="wallet-balance" title={formatXpl(balance.data)}>
        {short} XPL
      </span>
    );
  }
  if (balance.isError) {
    return (
      <span className="wallet-balance muted" data-testid="wallet-balance" title={balance.error.message}>
        balance unavailable
      </span>
    );
  }
  return <span className="wallet-balance muted">…</span>;
}

function ConnectedWallet() {
  const wallet = useWallet();
  const { connection } = wallet;
  if (!connection) return null;
  return (
    <>
      <div className="wallet-connected">
        <div className="wallet-identity">
          <span
            className="mono"
            data-testid="wallet-address"
            data-address={connection.address}
            title={`${connection.label}: ${connection.address}`}
          >
            {shortAddress(connection.address)}
          </span>
          <span className="muted small">{connection.label}</span>
        </div>
        {connection.client ? (
          <Balance />
        ) : (
          <button type="button" className="button button-warn" data-testid="switch-chain" onClick={wallet.switchChain}>
            Wrong network: switch
          </button>
        )}
        <button
          type="button"
          className="button button-quiet"
          data-testid="disconnect-wallet"
          onClick={wallet.disconnect}
        >
          Disconnect
        </button>
      </div>
      {wallet.error ? (
        <p className="wallet-error" role="alert" data-testid="wallet-error">
          {wallet.error}
        </p>
      ) : null}
    </>
  );
}

function ConnectMenu() {
  const wallet = useWallet();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);

  // Close on a click elsewhere or on Escape, like any menu.
  useEffect(() => {
    if (!open) return;
    const onPointer = (e: PointerEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  return (
    <div className="wallet-menu" ref={ref}>
      <button
        type="button"
        className="button button-primary"
        data-testid="connect-wallet"
        aria-expanded={open}
        aria-haspopup="true"
        disabled={wallet.connecting}
        onClick={() => {
          wallet.clearError();
          setOpen(!open);
        }}
      >
        {wallet.connecting ? "Connecting…" : "Connect wallet"}
      </button>
      {open ? (
        <div className="menu" data-testid="connect-menu">
          <button
            type="button"
            className="menu-item"
            data-testid="connect-injected"
            disabled={!wallet.hasInjected || wallet.connecting}
            onClick={async () => {
              await wallet.connectInjected();
            }}
          >
            Browser wallet
            <span className="muted small">
              {wallet.hasInjected ? "MetaMask, Rabby…" : "none found in this browser"}
            </span>
          </button>
          {wallet.devAccounts.map((account) => (
            <button
              key={account.name}
              type="button"
              className="menu-item"
              data-testid={`connect-dev-${account.name}`}
              onClick={() => {
                wallet.connectDev(account.name);
                setOpen(false);
              }}
            >
              Dev account: {account.name} ({shortAddress(account.address)})
            </button>
          ))}
          {wallet.network ? null : <p className="muted small">Waiting for the network’s details…</p>}
          {wallet.error ? (
            <p className="wallet-error" role="alert" data-testid="wallet-error">
              {wallet.error}
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

export function WalletMenu() {
  const { connection } = useWallet();
  return <div className="wallet">{connection ? <ConnectedWallet /> : <ConnectMenu />}</div>;
}
