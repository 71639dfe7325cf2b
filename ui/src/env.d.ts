declare const __ACADEMY_UI_VERSION__: string;
