import type { Metadata } from "next";
import { SystemPanel } from "@/components/admin/system-panel";

export const metadata: Metadata = { title: "System" };

export default function AdminSystemPage() {
  return <SystemPanel />;
}
