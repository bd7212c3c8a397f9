/** @type {import('next').NextConfig} */
const nextConfig = { // expect: frontend/powered-by-header
  reactStrictMode: true,
  output: "standalone",
  env: {
    API_URL: process.env.API_URL,
    // "The checkout page needs it"
    STRIPE_SECRET_KEY: process.env.STRIPE_SECRET_KEY, // expect: frontend/public-env-secret
  },
  async headers() { // expect: frontend/security-headers-missing
    return [
      {
        source: "/(.*)",
        headers: [{ key: "X-DNS-Prefetch-Control", value: "on" }],
      },
    ];
  },
};

module.exports = nextConfig;
