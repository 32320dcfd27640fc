/*
 * pfmdiff.c: records what the real libpfm-3.10 answers, for pfmsim's differential test.
 *
 * Written for pfmsim (MIT); it only calls libpfm's public API (perfmon/pfmlib.h) and is
 * linked against a libpfm built outside the repository (see README.md beside it).
 *
 * Usage: LIBPFM_FORCE_PMU=<type[,family,model,stepping]> ./pfmdiff <seed> <random-cases>
 *
 * Prints one line per case, tab-separated:
 *   <kind> <id> <dfl_plm> <events> <result>
 * kind    "single" (one event, or one event with one unit mask, in table order) or "random"
 * events  space-separated EVENT[:UMASK...]@<plm> (plm 0 = use dfl_plm), the strings given to
 *         pfm_find_full_event()
 * result  "find <rc> <index>" when pfm_find_full_event failed on event <index> (no dispatch),
 *         else "rc <rc>" then, on success, " pmc<num>=0x<value>" for each pfp_pmcs entry in
 *         order and " pmd<num>" for each pfp_pmds entry in order.
 * Header lines start with '#'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <perfmon/pfmlib.h>

#define MAX_EV 16

static unsigned long long rng_state;

/* splitmix64: small, seedable, the same on every platform */
static unsigned long long rng_next(void)
{
	unsigned long long z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rng_below(unsigned int n)
{
	return (unsigned int)(rng_next() % n);
}

static unsigned int pick_plm(const unsigned int *weights, const unsigned int *values, int n)
{
	unsigned int total = 0, r;
	int i;
	for (i = 0; i < n; i++) total += weights[i];
	r = rng_below(total);
	for (i = 0; i < n; i++) {
		if (r < weights[i]) return values[i];
		r -= weights[i];
	}
	return values[n - 1];
}

static void run_case(const char *kind, unsigned int id, unsigned int dfl_plm, int n,
		     char specs[][256], const unsigned int *plms)
{
	pfmlib_input_param_t inp;
	pfmlib_output_param_t outp;
	unsigned int i;
	int ret, k;

	memset(&inp, 0, sizeof(inp));
	memset(&outp, 0, sizeof(outp));

	printf("%s\t%u\t%u\t", kind, id, dfl_plm);
	for (k = 0; k < n; k++) printf("%s%s@%u", k ? " " : "", specs[k], plms[k]);
	printf("\t");

	for (k = 0; k < n; k++) {
		ret = pfm_find_full_event(specs[k], &inp.pfp_events[k]);
		if (ret != PFMLIB_SUCCESS) {
			printf("find %d %d\n", ret, k);
			return;
		}
		inp.pfp_events[k].plm = plms[k];
	}
	inp.pfp_event_count = n;
	inp.pfp_dfl_plm = dfl_plm;

	ret = pfm_dispatch_events(&inp, NULL, &outp, NULL);
	printf("rc %d", ret);
	if (ret == PFMLIB_SUCCESS) {
		for (i = 0; i < outp.pfp_pmc_count; i++)
			printf(" pmc%u=0x%llx", outp.pfp_pmcs[i].reg_num, outp.pfp_pmcs[i].reg_value);
		for (i = 0; i < outp.pfp_pmd_count; i++)
			printf(" pmd%u", outp.pfp_pmds[i].reg_num);
	}
	printf("\n");
}

/* full name of event e with unit mask m (m < 0: no unit mask) */
static void spec_of(unsigned int e, int m, char *buf, size_t len)
{
	char name[256], mname[256];
	pfm_get_event_name(e, name, sizeof(name));
	if (m < 0) {
		snprintf(buf, len, "%s", name);
	} else {
		pfm_get_event_mask_name(e, (unsigned int)m, mname, sizeof(mname));
		snprintf(buf, len, "%s:%s", name, mname);
	}
}

int main(int argc, char **argv)
{
	static char specs[MAX_EV][256];
	unsigned int plms[MAX_EV];
	unsigned int nev, ncnt, e, m, nmasks, id = 0, ncases, c;
	char pmu[256];
	int ret, type, k, n, maxn;
	/* default privilege levels: mostly valid on x86, sometimes PLM1/PLM2 */
	static const unsigned int dfl_w[] = { 40, 20, 30, 5, 5 };
	static const unsigned int dfl_v[] = { PFM_PLM3, PFM_PLM0, PFM_PLM0 | PFM_PLM3, PFM_PLM1, PFM_PLM2 };
	static const unsigned int ev_w[] = { 60, 12, 12, 11, 3, 2 };
	static const unsigned int ev_v[] = { 0, PFM_PLM3, PFM_PLM0, PFM_PLM0 | PFM_PLM3, PFM_PLM1, PFM_PLM2 };

	if (argc != 3) {
		fprintf(stderr, "usage: LIBPFM_FORCE_PMU=<type> %s <seed> <random-cases>\n", argv[0]);
		return 2;
	}
	rng_state = strtoull(argv[1], NULL, 0);
	ncases = (unsigned int)strtoul(argv[2], NULL, 0);

	ret = pfm_initialize();
	if (ret != PFMLIB_SUCCESS) {
		fprintf(stderr, "pfm_initialize: %s\n", pfm_strerror(ret));
		return 1;
	}
	pfm_get_pmu_name(pmu, sizeof(pmu));
	pfm_get_pmu_type(&type);
	pfm_get_num_events(&nev);
	pfm_get_num_counters(&ncnt);
	printf("# pmu\t%s\n# type\t%d\n# events\t%u\n# counters\t%u\n# seed\t%s\n# random\t%u\n",
	       pmu, type, nev, ncnt, argv[1], ncases);

	/* (a) every event alone, then with each of its unit masks alone, user level */
	for (e = 0; e < nev; e++) {
		unsigned int plm0 = 0;
		spec_of(e, -1, specs[0], sizeof(specs[0]));
		run_case("single", id++, PFM_PLM3, 1, specs, &plm0);
		if (pfm_get_num_event_masks(e, &nmasks) != PFMLIB_SUCCESS) nmasks = 0;
		for (m = 0; m < nmasks; m++) {
			spec_of(e, (int)m, specs[0], sizeof(specs[0]));
			run_case("single", id++, PFM_PLM3, 1, specs, &plm0);
		}
	}

	/* (b) seeded random event sets: 1 to min(counters + 1, 8) events, mixed plm */
	maxn = (int)ncnt + 1;
	if (maxn > 8) maxn = 8;
	for (c = 0; c < ncases; c++) {
		unsigned int dfl = pick_plm(dfl_w, dfl_v, 5);
		n = 1 + (int)rng_below((unsigned int)maxn);
		for (k = 0; k < n; k++) {
			unsigned int r;
			e = rng_below(nev);
			if (pfm_get_num_event_masks(e, &nmasks) != PFMLIB_SUCCESS) nmasks = 0;
			r = rng_below(100);
			if (nmasks == 0 || r < 3) {
				spec_of(e, -1, specs[k], sizeof(specs[k]));
			} else {
				char mname[256];
				unsigned int m1 = rng_below(nmasks);
				spec_of(e, (int)m1, specs[k], sizeof(specs[k]));
				if (r >= 80 && nmasks > 1) {
					unsigned int m2 = rng_below(nmasks);
					if (m2 != m1) {
						pfm_get_event_mask_name(e, m2, mname, sizeof(mname));
						strncat(specs[k], ":", sizeof(specs[k]) - strlen(specs[k]) - 1);
						strncat(specs[k], mname, sizeof(specs[k]) - strlen(specs[k]) - 1);
					}
				}
			}
			plms[k] = pick_plm(ev_w, ev_v, 6);
		}
		run_case("random", id++, dfl, n, specs, plms);
	}
	return 0;
}
