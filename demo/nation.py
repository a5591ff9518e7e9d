"""The national region tree of the national benchmark set: the 31 provincial units of mainland China with their
real GB/T 2260 codes and names, and under each (Jilin excepted, which ``data`` lists for real) synthetic but
plausible prefectures and counties — about 330 prefectures and 2,800 county-level units in all, roughly as many as
each province really has.

Synthetic codes follow the GB/T 2260 pattern ``PPCC00`` for a prefecture and ``PPCCXX`` (XX from 02) for a
county, under their province's two digits, so they never meet Jilin's (22…). Names are drawn from a fixed list of
characters by a random stream seeded with the code, unique nationwide, and never the same as a Jilin name.
Everything here is computed once per process, the same every time.
"""

import functools
import random

from . import data

# (code, name, telephone area code, prefectures, county-level units); Jilin's come from ``data``.
PROVINCES = [
    ("110000", "北京市", "010", 1, 16), ("120000", "天津市", "022", 1, 16), ("130000", "河北省", "0311", 11, 167),
    ("140000", "山西省", "0351", 11, 117), ("150000", "内蒙古自治区", "0471", 12, 103),
    ("210000", "辽宁省", "024", 14, 100), ("220000", "吉林省", "0431", 0, 0), ("230000", "黑龙江省", "0451", 13, 121),
    ("310000", "上海市", "021", 1, 16), ("320000", "江苏省", "025", 13, 95), ("330000", "浙江省", "0571", 11, 90),
    ("340000", "安徽省", "0551", 16, 104), ("350000", "福建省", "0591", 9, 84), ("360000", "江西省", "0791", 11, 100),
    ("370000", "山东省", "0531", 16, 136), ("410000", "河南省", "0371", 17, 157), ("420000", "湖北省", "027", 13, 103),
    ("430000", "湖南省", "0731", 14, 122), ("440000", "广东省", "020", 21, 122),
    ("450000", "广西壮族自治区", "0771", 14, 111), ("460000", "海南省", "0898", 4, 25),
    ("500000", "重庆市", "023", 1, 38), ("510000", "四川省", "028", 21, 183), ("520000", "贵州省", "0851", 9, 88),
    ("530000", "云南省", "0871", 16, 129), ("540000", "西藏自治区", "0891", 7, 74),
    ("610000", "陕西省", "029", 10, 107), ("620000", "甘肃省", "0931", 14, 86), ("630000", "青海省", "0971", 8, 44),
    ("640000", "宁夏回族自治区", "0951", 5, 22),
    ("650000", "新疆维吾尔自治区", "0991", 14, 106),
]
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}  # one prefecture-level unit named after the city

FIRST = "安宝昌德东丰福广海和河华怀济嘉建江金景靖乐临龙隆梅南宁平普清庆瑞山寿双顺太泰天通万文武西咸新兴阳永玉云长镇正"
SECOND = "安昌城川春丰峰阜冈谷海和河湖华化环江康乐林陵隆明南宁平坪浦清泉仁山上水顺台泰田亭溪乡阳义源远云泽州"


@functools.lru_cache(maxsize=1)
def region_rows():
    """(code, name, level, parent code, weight, area code) of every region in the country, parents first."""
    taken = {name[:-1] for _c, name, *_ in (data.PROVINCE, *data.PREFECTURES)}
    taken |= {name[:-1] for _c, name, *_ in data.COUNTIES}
    rows = []
    jilin = [data.PROVINCE, *data.PREFECTURES]
    area = {p[0]: p[5] for p in data.PREFECTURES}
    jilin += [(c, n, "county", parent, w, area[parent]) for c, n, parent, w in data.COUNTIES]

    def fresh(rng):
        tries = 0
        while True:
            tries += 1  # two characters while they last, then three
            stem = rng.choice(FIRST) + rng.choice(SECOND) + (rng.choice(SECOND) if tries > 8 else "")
            if stem not in taken:
                taken.add(stem)
                return stem

    for code, name, phone, prefectures, counties in PROVINCES:
        if code == data.PROVINCE[0]:
            rows += jilin
            continue
        rows.append((code, name, "province", None, 0, phone))
        rng = random.Random(f"nation:{code}")
        # Counties spread over the prefectures as evenly as the numbers allow, the first ones getting the extra.
        per, extra = divmod(counties, prefectures)
        for k in range(prefectures):
            prefecture = f"{code[:2]}{k + 1:02d}00"
            if code in MUNICIPALITIES:
                pname = name
            else:
                pname = fresh(rng) + ("州" if rng.random() < 0.08 else "市")
            rows.append((prefecture, pname, "prefecture", code, 0, phone))
            for j in range(per + (1 if k < extra else 0)):
                roll = rng.random()
                suffix = "区" if code in MUNICIPALITIES or roll < 0.25 else ("市" if roll < 0.4 else "县")
                # Districts (区) are where organizations crowd, as in Changchun.
                weight = rng.randint(3, 8) if suffix == "区" else rng.randint(1, 3)
                rows.append((f"{prefecture[:4]}{j + 2:02d}", fresh(rng) + suffix, "county", prefecture, weight,
                             phone))
    return tuple(rows)
