import type { Metadata } from "next";

export const metadata: Metadata = {
  title: { default: "Shop", template: "%s · Shop" },
  description: "Hand-made goods, shipped in 48 hours.",
  openGraph: { type: "website", siteName: "Shop", images: ["/og.png"] },
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
