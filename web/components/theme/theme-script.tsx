// Runs before the first paint so the page never flashes the wrong theme.
const SCRIPT = `(function(){try{var t=localStorage.getItem("archivist-theme");var d=t?t==="dark":window.matchMedia("(prefers-color-scheme: dark)").matches;var e=document.documentElement;e.classList.toggle("dark",d);e.style.colorScheme=d?"dark":"light"}catch(_){}})();`;

export function ThemeScript() {
  // The script text is a constant above, not user input.
  // eslint-disable-next-line react/no-danger
  return <script dangerouslySetInnerHTML={{ __html: SCRIPT }} />;
}
