/** Server side of an island: the component rendered to HTML plus its JSON props script. */
import type { ComponentType } from "preact";

/** Props of Island. */
export interface IslandProps<P> {
  name: string;
  component: ComponentType<P>;
  props: NoInfer<P>;
}

/** Renders `component` inside a hydration marker; props go in a non-executed JSON script. */
export function Island<P>({ name, component: Component, props }: IslandProps<P>) {
  const id = `island-${name}-${crypto.randomUUID().slice(0, 8)}`;
  // `<` escaped so a value such as "</script>" cannot close the script element.
  const json = JSON.stringify(props).replace(/</g, "\\u003c");
  return (
    <>
      {/* Fetch the island's chunk while the page parses; `_boot.js` imports the same URL. */}
      <link rel="modulepreload" href={`/static/islands/${name}.js`} />
      <script type="application/json" id={id} dangerouslySetInnerHTML={{ __html: json }} />
      <div data-island={name} data-props={id}>
        {/* @ts-ignore: generic props pass through unchanged */}
        <Component {...props} />
      </div>
    </>
  );
}
