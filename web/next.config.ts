import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";

// The default build is a static export (web/out) that the API process serves at `/`, so the
// browser talks to the API on the same origin. `next dev`, and `next start` after a build with
// ARCHIVIST_WEB_SERVER=1, serve the pages themselves and proxy the API paths to
// ARCHIVIST_API_URL instead (rewrites are ignored by static exports).
const API_URL = process.env.ARCHIVIST_API_URL ?? "http://127.0.0.1:8000";
const OWN_SERVER = process.env.ARCHIVIST_WEB_SERVER === "1";

export default function config(phase: string): NextConfig {
  const base: NextConfig = {
    reactStrictMode: true,
    poweredByHeader: false,
    images: { unoptimized: true },
  };
  if (phase === PHASE_DEVELOPMENT_SERVER || OWN_SERVER) {
    return {
      ...base,
      // Gzip would buffer the chat's server-sent events until the answer is complete.
      compress: false,
      // The dev server treats only localhost as its own origin; 127.0.0.1 is the same machine.
      allowedDevOrigins: ["127.0.0.1"],
      async rewrites() {
        return [
          { source: "/api/:path*", destination: `${API_URL}/api/:path*` },
          { source: "/health", destination: `${API_URL}/health` },
        ];
      },
    };
  }
  return { ...base, output: "export" };
}
