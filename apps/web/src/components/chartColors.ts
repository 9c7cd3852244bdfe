// Series colours for the charts. Plain hex rather than CSS variables: SVG attributes do not reliably
// resolve var() in every browser.

export const CHART_COLORS = {
  primary: "#6d4aff",
  primarySoft: "rgba(109, 74, 255, 0.18)",
  secondary: "#0f9d8a",
  secondarySoft: "rgba(15, 157, 138, 0.25)",
  tertiary: "#e8890c",
  grid: "rgba(128, 128, 128, 0.25)",
} as const;
