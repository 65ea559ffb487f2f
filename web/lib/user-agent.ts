/** "Chrome on Linux" from a User-Agent header: enough to recognise one's own devices. */
export function describeUserAgent(ua: string | null | undefined): string {
  if (!ua) return "Unknown device";
  const browser = browserName(ua);
  const os = osName(ua);
  if (browser && os) return `${browser} on ${os}`;
  if (browser || os) return (browser ?? os) as string;
  // Scripts and command-line tools: their own name is the clearest description.
  const product = /^([A-Za-z][\w.-]*)\//.exec(ua);
  return product?.[1] && product[1] !== "Mozilla" ? product[1] : "Unknown device";
}

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
const BROWSERS: [RegExp, string][] = [
  [/HeadlessChrome\//, "Headless Chrome"],
  [/Edg(e|A|iOS)?\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/SamsungBrowser\//, "Samsung Internet"],
  [/Firefox\/|FxiOS\//, "Firefox"],
  [/Chrome\/|CriOS\/|Chromium\//, "Chrome"],
  [/Safari\//, "Safari"],
];

const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPad|iPod/, "iOS"],
  [/Android/, "Android"],
  [/CrOS/, "ChromeOS"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Linux|X11/, "Linux"],
];

function browserName(ua: string): string | null {
  for (const [pattern, name] of BROWSERS) if (pattern.test(ua)) return name;
  return null;
}

function osName(ua: string): string | null {
  for (const [pattern, name] of SYSTEMS) if (pattern.test(ua)) return name;
  return null;
}
