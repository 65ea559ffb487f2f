"use client";

import { Search as SearchIcon } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { PageHeader } from "@/components/layout/page-header";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api/errors";
import { useSearch } from "@/lib/queries/search";
import { SearchResultCard } from "./search-result-card";

export function SearchView() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const query = params.get("q") ?? "";
  const [text, setText] = React.useState(query);
  const [shownQuery, setShownQuery] = React.useState(query);
  const search = useSearch(query);

  // The box follows the address when it changes (back/forward, a link to another search).
  if (query !== shownQuery) {
    setShownQuery(query);
    setText(query);
  }

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const q = text.trim();
    router.replace(q ? `${pathname}?q=${encodeURIComponent(q)}` : pathname);
  };

  const results = search.data?.results ?? [];

  return (
    <div className="mx-auto grid w-full max-w-3xl gap-4 p-4 sm:p-6">
      <PageHeader title="Search" description="Find passages across every document you can see." />
      <form role="search" onSubmit={submit} className="flex gap-2">
        <Label htmlFor="search-input" className="sr-only">
          Search
        </Label>
        <div className="relative flex-1">
          <SearchIcon
            className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-muted-foreground"
            aria-hidden="true"
          />
          <Input
            id="search-input"
            type="search"
            autoFocus
            autoComplete="off"
            placeholder="Ask about a policy, a customer, a number…"
            className="h-10 pl-9"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        <Button type="submit" className="h-10">
          Search
        </Button>
      </form>
      {!query ? (
        <EmptyState icon={<SearchIcon />} title="Search your documents">
          Type a few words and press Enter. Results show the best matching passages first.
        </EmptyState>
      ) : search.isPending ? (
        <div className="grid gap-3" aria-busy="true">
          <span className="sr-only">Searching…</span>
          {Array.from({ length: 3 }, (_, i) => (
            <Skeleton key={i} className="h-28 w-full" />
          ))}
        </div>
      ) : search.isError ? (
        <Alert variant="destructive">{errorMessage(search.error)}</Alert>
      ) : results.length === 0 ? (
        <EmptyState icon={<SearchIcon />} title="No results">
          Nothing matched “{query}”. Try other words, or check that your documents are indexed.
        </EmptyState>
      ) : (
        <section className="grid gap-3">
          <p className="text-xs text-muted-foreground" role="status">
            {results.length} {results.length === 1 ? "result" : "results"} in{" "}
            {Math.round(search.data?.took_ms ?? 0)} ms
          </p>
          <ol className="grid gap-3">
            {results.map((r) => (
              <li key={r.chunk_id}>
                <SearchResultCard result={r} />
              </li>
            ))}
          </ol>
        </section>
      )}
    </div>
  );
}
