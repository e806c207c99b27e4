// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Flame graphs (flame.h): a tree of frames with counts, laid out as
 * Brendan Gregg's flamegraph.pl does (children sorted by name, the root at
 * the bottom, width by count), written as SVG with a small inline script. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "flame.h"
#include "log.h"

struct node {
	char *name;
	bool kernel;
	uint64_t count;
	struct node **kids;
	size_t nkids, cap;
};

struct tk_flame {
	struct node root;
	int depth;		/* of the deepest frame below the root */
	bool cold;		/* off-CPU palette */
};

#define SVG_WIDTH 1200
#define SVG_XPAD 10
#define FRAME_H 16
#define TOP_PAD 56
#define BOTTOM_PAD 34
#define MIN_WIDTH 0.1	/* px: narrower frames are left out, as flamegraph.pl */

struct tk_flame *tk_flame_new(void)
{
	struct tk_flame *fg = calloc(1, sizeof(*fg));

	if (fg && !(fg->root.name = strdup("all"))) {
		free(fg);
		return NULL;
	}
	return fg;
}

static struct node *child(struct node *n, const char *name, bool kernel)
{
	struct node *k;
	size_t i;

	for (i = 0; i < n->nkids; i++)
		if (n->kids[i]->kernel == kernel && !strcmp(n->kids[i]->name, name))
			return n->kids[i];
	if (n->nkids == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 4;
		struct node **kids = realloc(n->kids, cap * sizeof(*kids));

		if (!kids)
			return NULL;
		n->kids = kids;
		n->cap = cap;
	}
	k = calloc(1, sizeof(*k));
	if (!k || !(k->name = strdup(name))) {
		free(k);
		return NULL;
	}
	k->kernel = kernel;
	n->kids[n->nkids++] = k;
	return k;
}

int tk_flame_add(struct tk_flame *fg, const char *const *path, const bool *kernel, int n,
		 uint64_t count)
{
	struct node *at = &fg->root;
	int i;

	at->count += count;
	for (i = 0; i < n; i++) {
		at = child(at, path[i], kernel && kernel[i]);
		if (!at)
			return -ENOMEM;
		at->count += count;
	}
	if (n > fg->depth)
		fg->depth = n;
	return 0;
}

uint64_t tk_flame_total(const struct tk_flame *fg)
{
	return fg->root.count;
}

void tk_flame_cold(struct tk_flame *fg)
{
	fg->cold = true;
}

static void free_node(struct node *n)
{
	size_t i;

	for (i = 0; i < n->nkids; i++) {
		free_node(n->kids[i]);
		free(n->kids[i]);
	}
	free(n->kids);
	free(n->name);
}

void tk_flame_free(struct tk_flame *fg)
{
	if (!fg)
		return;
	free_node(&fg->root);
	free(fg);
}

/* Text in XML: markup characters escaped; control and non-ASCII bytes
 * (symbol names are untrusted, and need not be UTF-8) as '?'. */
static void xml_text(FILE *f, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] && i < max; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: fputc(c < 0x20 || c >= 0x7f ? '?' : c, f);
		}
	}
}

/* FNV-1a of the name: the same frame keeps its colour across graphs. */
static double name_hash(const char *s, unsigned salt)
{
	uint32_t h = 2166136261u ^ salt;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h % 1000) / 1000.0;
}

static void fill(FILE *f, const struct node *n, bool cold)
{
	double a = name_hash(n->name, 0), b = name_hash(n->name, 1);

	if (cold && n->kernel)	/* blocked in the kernel: violet-blue */
		fprintf(f, "rgb(%d,%d,%d)", 110 + (int)(50 * a), 90 + (int)(40 * b), 200 + (int)(55 * b));
	else if (cold)		/* flamegraph.pl's "blue" (off-CPU) palette */
		fprintf(f, "rgb(%d,%d,%d)", 80 + (int)(60 * a), 80 + (int)(60 * a), 190 + (int)(55 * b));
	else if (n->kernel)	/* the kernel's frames: blue-green, apart from the warm user ones */
		fprintf(f, "rgb(%d,%d,%d)", 60 + (int)(60 * a), 170 + (int)(50 * b), 200 + (int)(55 * a));
	else		/* flamegraph.pl's "hot" palette */
		fprintf(f, "rgb(%d,%d,%d)", 205 + (int)(50 * b), (int)(230 * a), (int)(55 * b));
}

static int by_name(const void *x, const void *y)
{
	const struct node *a = *(const struct node *const *)x, *b = *(const struct node *const *)y;

	return strcmp(a->name, b->name);
}

struct layout {
	FILE *f;
	double total, width;
	int height;
	const char *unit;
	bool cold;
};

static void frame(const struct layout *l, struct node *n, uint64_t start, int depth)
{
	double x = SVG_XPAD + start / l->total * l->width, w = n->count / l->total * l->width;
	int y = l->height - BOTTOM_PAD - (depth + 1) * FRAME_H, chars;
	uint64_t at = start;
	size_t i, len;

	if (w < MIN_WIDTH && depth)	/* the root always: the script starts there */
		return;
	fprintf(l->f, "<g class=\"f\" data-s=\"%llu\" data-c=\"%llu\" data-d=\"%d\" data-n=\"",
		(unsigned long long)start, (unsigned long long)n->count, depth);
	xml_text(l->f, n->name, 4096);
	fprintf(l->f, "\"><title>");
	xml_text(l->f, n->name, 4096);
	fprintf(l->f, " (%llu %s, %.2f%%)</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
		"height=\"%d\" rx=\"2\" fill=\"", (unsigned long long)n->count, l->unit,
		100.0 * n->count / l->total, x, y, w, FRAME_H - 1);
	fill(l->f, n, l->cold);
	fprintf(l->f, "\"/><text x=\"%.1f\" y=\"%d\">", x + 3, y + FRAME_H - 5);
	/* The label the script would give it, for readers without scripts. */
	chars = (int)((w - 6) / 7);
	len = strlen(n->name);
	if (chars >= 3) {
		if (len <= (size_t)chars) {
			xml_text(l->f, n->name, len);
		} else {
			xml_text(l->f, n->name, chars - 2);
			fputs("..", l->f);
		}
	}
	fputs("</text></g>\n", l->f);
	qsort(n->kids, n->nkids, sizeof(*n->kids), by_name);
	for (i = 0; i < n->nkids; i++) {
		frame(l, n->kids[i], at, depth + 1);
		at += n->kids[i]->count;
	}
}

static const char script[] =
"var XP=10,FW=0,gs=[],zoomed=null,details,matched;\n"
"function num(g,k){return +g.getAttribute('data-'+k);}\n"
"function place(g,x,w){var r=g.getElementsByTagName('rect')[0],t=g.getElementsByTagName('text')[0];\n"
" r.setAttribute('x',x.toFixed(1));r.setAttribute('width',w.toFixed(1));t.setAttribute('x',(x+3).toFixed(1));\n"
" var n=g.getAttribute('data-n'),c=Math.floor((w-6)/7);\n"
" t.textContent=c<3?'':(n.length<=c?n:n.substr(0,c-2)+'..');}\n"
"function zoom(z){var zs=num(z,'s'),zc=num(z,'c'),zd=num(z,'d');zoomed=z;\n"
" for(var i=0;i<gs.length;i++){var g=gs[i],s=num(g,'s'),c=num(g,'c'),d=num(g,'d');\n"
"  if(d<zd){if(s<=zs&&s+c>=zs+zc){g.style.display='';g.style.opacity=0.6;place(g,XP,FW);}else g.style.display='none';continue;}\n"
"  if(s>=zs&&s+c<=zs+zc&&c/zc*FW>=0.1){g.style.display='';g.style.opacity=1;place(g,XP+(s-zs)/zc*FW,c/zc*FW);}\n"
"  else g.style.display='none';}\n"
" document.getElementById('unzoom').style.opacity=zd>0?1:0;}\n"
"function search(term){var ivs=[],total=num(gs[0],'c');term=term.toLowerCase();\n"
" for(var i=0;i<gs.length;i++){var g=gs[i],r=g.getElementsByTagName('rect')[0];\n"
"  if(!r.getAttribute('data-fill'))r.setAttribute('data-fill',r.getAttribute('fill'));\n"
"  if(term&&g.getAttribute('data-n').toLowerCase().indexOf(term)>=0){r.setAttribute('fill','rgb(230,0,230)');g.setAttribute('class','f hit');ivs.push([num(g,'s'),num(g,'c')]);}\n"
"  else{r.setAttribute('fill',r.getAttribute('data-fill'));g.setAttribute('class','f');}}\n"
" ivs.sort(function(a,b){return a[0]-b[0];});var sum=0,end=0;\n"
" for(var j=0;j<ivs.length;j++){var s=ivs[j][0],e=s+ivs[j][1];if(e<=end)continue;sum+=e-Math.max(s,end);end=e;}\n"
" matched.textContent=term?'Matched: '+(100*sum/total).toFixed(2)+'%':'';}\n"
"function init(){FW=+document.documentElement.getAttribute('width')-2*XP;\n"
" details=document.getElementById('details');matched=document.getElementById('matched');\n"
" gs=document.querySelectorAll('g.f');\n"
" for(var i=0;i<gs.length;i++){(function(g){\n"
"  g.addEventListener('click',function(){zoom(g);});\n"
"  g.addEventListener('mouseover',function(){details.textContent=g.getElementsByTagName('title')[0].textContent;});\n"
"  g.addEventListener('mouseout',function(){details.textContent=' ';});})(gs[i]);}\n"
" document.getElementById('unzoom').addEventListener('click',function(){zoom(gs[0]);});\n"
" var box=document.getElementById('search');\n"
" if(box)box.addEventListener('input',function(){search(box.value);});\n"
/* FILE.svg#s=TEXT opens with TEXT searched (a link that shows a finding). */
" var m=/^#s=(.*)$/.exec(location.hash);\n"
" if(m){var t=decodeURIComponent(m[1]);if(box)box.value=t;search(t);}}\n"
"window.addEventListener('load',init);\n";

void tk_flame_svg(const struct tk_flame *fg, FILE *f, const char *title, const char *unit)
{
	struct layout l = {
		.f = f,
		.total = fg->root.count ? (double)fg->root.count : 1,
		.width = SVG_WIDTH - 2 * SVG_XPAD,
		.height = TOP_PAD + (fg->depth + 1) * FRAME_H + BOTTOM_PAD,
		.unit = unit,
		.cold = fg->cold,
	};

	fprintf(f, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n", SVG_WIDTH, l.height, SVG_WIDTH, l.height);
	fprintf(f, "<style>text{font-family:Verdana,sans-serif;font-size:12px;fill:#000}"
		"g.f{cursor:pointer}g.f:hover rect{stroke:#000;stroke-width:0.5}"
		"#title{font-size:17px;text-anchor:middle}#unzoom{opacity:0;cursor:pointer}</style>\n");
	fprintf(f, "<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n", script);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#f8f8f0\"/>\n",
		SVG_WIDTH, l.height);
	fprintf(f, "<text id=\"title\" x=\"%d\" y=\"24\">", SVG_WIDTH / 2);
	xml_text(f, title, 200);
	fprintf(f, "</text>\n<text id=\"unzoom\" x=\"%d\" y=\"24\">Reset Zoom</text>\n", SVG_XPAD);
	fprintf(f, "<foreignObject x=\"%d\" y=\"8\" width=\"220\" height=\"26\">"
		"<input xmlns=\"http://www.w3.org/1999/xhtml\" id=\"search\" type=\"search\" "
		"placeholder=\"Search\" style=\"width:200px\"/></foreignObject>\n",
		SVG_WIDTH - SVG_XPAD - 220);
	fprintf(f, "<text id=\"matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"></text>\n",
		SVG_WIDTH - SVG_XPAD, l.height - 12);
	fprintf(f, "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n", SVG_XPAD, l.height - 12);
	frame(&l, (struct node *)&fg->root, 0, 0);
	fprintf(f, "</svg>\n");
}

int tk_flame_write_svg(const struct tk_flame *fg, const char *path, const char *title,
		       const char *unit)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		tk_warn("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	tk_flame_svg(fg, f, title, unit);
	if (ferror(f) | fclose(f)) {
		tk_warn("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
