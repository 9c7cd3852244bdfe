// The layout (header with navigation and wallet, page, footer) and the routes.

import { NavLink, Route, Routes } from "react-router";
import { IndexerStatus } from "./components/IndexerStatus.tsx";
import { WalletMenu } from "./components/WalletMenu.tsx";
import { LeasePage } from "./pages/LeasePage.tsx";
import { LeasesPage } from "./pages/LeasesPage.tsx";
import { MarketPage } from "./pages/MarketPage.tsx";
import { NetworkPage } from "./pages/NetworkPage.tsx";
import { NotFoundPage } from "./pages/NotFoundPage.tsx";
import { ProviderPage } from "./pages/ProviderPage.tsx";
import { ProvidersPage } from "./pages/ProvidersPage.tsx";

const NAV = [
  { to: "/", label: "Market", testId: "nav-market" },
  { to: "/providers", label: "Providers", testId: "nav-providers" },
  { to: "/leases", label: "Leases", testId: "nav-leases" },
  { to: "/network", label: "Network", testId: "nav-network" },
];

export function App() {
  return (
    <div className="app">
      <header className="header">
        <NavLink to="/" className="brand" aria-label="Plasma home">
          <span className="brand-mark" aria-hidden="true" />
          Plasma
        </NavLink>
        <nav className="nav" aria-label="Main">
          {NAV.map((item) => (
            <NavLink key={item.to} to={item.to} end={item.to === "/"} data-testid={item.testId}>
              {item.label}
            </NavLink>
          ))}
        </nav>
        <WalletMenu />
      </header>
      <main className="main">
        <Routes>
          <Route path="/" element={<MarketPage />} />
          <Route path="/providers" element={<ProvidersPage />} />
          <Route path="/providers/:address" element={<ProviderPage />} />
          <Route path="/leases" element={<LeasesPage />} />
          <Route path="/leases/:id" element={<LeasePage />} />
          <Route path="/network" element={<NetworkPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </main>
      <footer className="footer">
        <span>Plasma · an open market for GPU compute, settled in XPL</span>
        <IndexerStatus />
      </footer>
    </div>
  );
}
