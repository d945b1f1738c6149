// A small notes app built with Vite, with the cors-harness debug panel beside it.
import { mountPanel } from "cors-harness/panel";
import "./style.css";

const app = document.getElementById("app");
app.innerHTML = `<h1>Notes</h1><p>The app calls its API from this origin; the debug panel shows what the browser does with those calls.</p>`;

// In a real app: only in development builds, e.g. `if (import.meta.env.DEV)`.
mountPanel(document.getElementById("debug"), { suiteUrl: "./cors-suite.json" });
