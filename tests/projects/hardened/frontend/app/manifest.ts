import type { MetadataRoute } from "next";

export default function manifest(): MetadataRoute.Manifest {
  return { name: "Shop", short_name: "Shop", start_url: "/", display: "standalone", icons: [{ src: "/icon.svg", sizes: "any" }] };
}
