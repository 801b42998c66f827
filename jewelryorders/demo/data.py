"""The realistic factory the demo command builds: people, customers and styles of a Hong Kong/Guangdong jeweller."""

from __future__ import annotations

DEMO_PASSWORD = "demo1234"
ADMIN_PASSWORD = "admin123"
FACTORY_NAME = "金福珠寶首飾廠 Golden Luck Jewellery Factory"
FACTORY_ADDRESS = "廣東省深圳市羅湖區水貝二路 168 號 / 168 Shuibei 2nd Road, Luohu, Shenzhen"

# username, display name, department, role
USERS: list[tuple[str, str, str, str]] = [
    ("manager", "王志明 (Wang Zhiming)", "management", "manager"),
    ("management.head", "李嘉欣 (Li Jiaxin)", "management", "department_head"),
    ("sales", "陳美玲 (Chen Meiling)", "sales", "clerk"),
    ("sales2", "黃俊傑 (Huang Junjie)", "sales", "clerk"),
    ("sales.head", "林淑芬 (Lin Shufen)", "sales", "department_head"),
    ("production", "張偉 (Zhang Wei)", "production", "clerk"),
    ("production.head", "劉建國 (Liu Jianguo)", "production", "department_head"),
    ("technical", "吳曉東 (Wu Xiaodong)", "technical", "clerk"),
    ("technical.head", "周文華 (Zhou Wenhua)", "technical", "department_head"),
    ("purchasing", "鄭麗華 (Zheng Lihua)", "purchasing", "clerk"),
    ("purchasing.head", "何國強 (He Guoqiang)", "purchasing", "department_head"),
    ("quality", "許雅婷 (Xu Yating)", "quality", "clerk"),
    ("quality.head", "謝志偉 (Xie Zhiwei)", "quality", "department_head"),
    ("logistics", "馮家豪 (Feng Jiahao)", "logistics", "clerk"),
    ("logistics.head", "曾慧敏 (Zeng Huimin)", "logistics", "department_head"),
    ("archive", "蔡佩珊 (Cai Peishan)", "archive", "clerk"),
    ("archive.head", "潘德明 (Pan Deming)", "archive", "department_head"),
]

# Chinese name, English name, contact, phone, city/country, currency, rating, credit limit
CUSTOMER_STEMS: list[tuple[str, str, str]] = [
    ("金碧輝煌", "Golden Splendour", "Hong Kong"), ("周生福", "Chow Sang Fook", "Hong Kong"),
    ("六福珍寶", "Six Fortunes Treasures", "Hong Kong"), ("謝瑞麟行", "Tse Sui Lun House", "Hong Kong"),
    ("老鳳凰", "Old Phoenix", "China"), ("菜百首飾", "Caibai Ornaments", "China"),
    ("明牌珠寶", "Mingpai Jewellery", "China"), ("潮宏基業", "Chaohong Base", "China"),
    ("星光鑽石", "Starlight Diamonds", "China"), ("翠華珠寶", "Emerald Grace", "Taiwan"),
    ("鑫隆金行", "Xinlong Gold House", "Taiwan"), ("寶島銀樓", "Formosa Silversmiths", "Taiwan"),
    ("永福金舖", "Eternal Fortune Goldsmiths", "Macau"), ("濠江珠寶", "Haojiang Jewels", "Macau"),
    ("獅城金飾", "Lion City Gold", "Singapore"), ("南洋珠寶", "Nanyang Jewellers", "Malaysia"),
    ("東京宝石", "Tokyo Gems", "Japan"), ("銀座貴金属", "Ginza Precious Metals", "Japan"),
    ("首爾珠寶", "Seoul Jewelry House", "Korea"), ("曼谷金行", "Bangkok Gold Trading", "Thailand"),
    ("迪拜金市", "Dubai Gold Souk Traders", "UAE"), ("倫敦皇冠", "Crown Jewellers London", "UK"),
    ("巴黎之星", "Étoile de Paris", "France"), ("米蘭金匠", "Milano Orafi", "Italy"),
    ("紐約第五", "Fifth Avenue Fine Jewelry", "USA"), ("洛城鑽石", "LA Diamond District", "USA"),
    ("多倫多寶石", "Toronto Gemstones", "Canada"), ("悉尼珍珠", "Sydney Pearl Co.", "Australia"),
    ("蘇黎世鐘錶", "Zürich Uhren & Schmuck", "Switzerland"), ("安特衛普鑽", "Antwerp Diamond Bourse", "Belgium"),
    ("深圳水貝", "Shuibei Trading", "China"), ("廣州華林", "Hualin Jade", "China"),
    ("上海老廟", "Shanghai Old Temple", "China"), ("北京菜市", "Beijing Market Gold", "China"),
    ("杭州西湖", "West Lake Jewels", "China"), ("成都寬窄", "Chengdu Alley Jewels", "China"),
    ("天貓旗艦", "Tmall Flagship", "China"), ("京東珠寶", "JD Jewelry", "China"),
    ("香江婚嫁", "Harbour Bridal", "Hong Kong"), ("喜來登婚慶", "Happy Wedding Gold", "China"),
    ("佛山匠心", "Foshan Craftsmen", "China"), ("廈門鷺島", "Xiamen Egret Gold", "China"),
    ("青島海珠", "Qingdao Sea Pearl", "China"), ("澳門葡京", "Lisboa Jewels Macau", "Macau"),
]

CONTACTS = ["陳小姐", "李先生", "黃經理", "張總", "王小姐", "劉先生", "Ms. Tanaka", "Mr. Smith", "Mme Dubois",
            "Sig. Rossi", "Mr. Al-Mansouri", "Ms. Kim", "吳主任", "鄭採購", "Mr. Tan", "林小姐"]

COUNTRY_CURRENCY = {"Hong Kong": "HKD", "China": "CNY", "Taiwan": "TWD", "Macau": "MOP", "Singapore": "SGD",
                    "Malaysia": "USD", "Japan": "JPY", "Korea": "USD", "Thailand": "USD", "UAE": "USD", "UK": "GBP",
                    "France": "EUR", "Italy": "EUR", "USA": "USD", "Canada": "USD", "Australia": "USD",
                    "Switzerland": "EUR", "Belgium": "EUR"}

# code, name, product type, metal, lead days, new style?, stones [(type, count, carat per stone)], weight g, price
STYLES: list[tuple] = [
    ("R-AU750-001", "18K 金六爪鑽石戒指 Six-prong diamond solitaire", "ring", "Au750", 30, False, [("diamond", 1, "0.500")], "3.200", "12800.00"),
    ("R-AU750-002", "18K 金密釘鑲排鑽戒 Pavé band", "ring", "Au750", 35, False, [("diamond", 24, "0.015")], "2.850", "6800.00"),
    ("R-AU750-003", "18K 玫瑰金紅寶石戒指 Rose-gold ruby ring", "ring", "Au750", 40, False, [("ruby", 1, "0.800"), ("diamond", 10, "0.010")], "3.600", "9800.00"),
    ("R-PT950-001", "Pt950 鉑金對戒 Platinum wedding band", "ring", "Pt950", 28, False, [], "5.100", "5200.00"),
    ("R-PT950-002", "Pt950 鉑金鑽石婚戒 Platinum diamond engagement ring", "ring", "Pt950", 35, False, [("diamond", 1, "1.000"), ("diamond", 16, "0.010")], "4.400", "36800.00"),
    ("R-AU585-001", "14K 金藍寶石戒指 Sapphire halo ring", "ring", "Au585", 30, False, [("sapphire", 1, "1.200"), ("diamond", 14, "0.012")], "3.100", "7600.00"),
    ("R-AG925-001", "925 銀鋯石戒指 Silver CZ ring", "ring", "Ag925", 15, False, [("cz", 8, "0.050")], "2.400", "180.00"),
    ("R-AU750-NEW1", "18K 金可調節扭紋戒 Twisted adjustable ring (new)", "ring", "Au750", 45, True, [("diamond", 6, "0.020")], "2.950", "5900.00"),
    ("P-AU750-001", "18K 金心形鑽石吊墜 Heart diamond pendant", "pendant", "Au750", 25, False, [("diamond", 18, "0.010")], "1.850", "4200.00"),
    ("P-AU750-002", "18K 金翡翠吊墜 Jade pendant", "pendant", "Au750", 35, False, [("jade", 1, "3.500"), ("diamond", 8, "0.015")], "2.300", "15800.00"),
    ("P-PT950-001", "Pt950 水滴鑽石吊墜 Platinum teardrop pendant", "pendant", "Pt950", 30, False, [("diamond", 1, "0.300")], "1.600", "8900.00"),
    ("P-AU999-001", "足金生肖吊墜 24K zodiac pendant", "pendant", "Au999", 20, False, [], "5.000", "3100.00"),
    ("P-AG925-001", "925 銀珍珠吊墜 Silver pearl pendant", "pendant", "Ag925", 14, False, [("pearl", 1, "2.000")], "1.900", "260.00"),
    ("E-AU750-001", "18K 金鑽石耳釘 Diamond studs", "earring", "Au750", 25, False, [("diamond", 2, "0.250")], "1.400", "7600.00"),
    ("E-AU750-002", "18K 金珍珠耳環 Pearl drop earrings", "earring", "Au750", 30, False, [("pearl", 2, "1.500")], "2.100", "3800.00"),
    ("E-AU585-001", "14K 金圈耳環 Hoop earrings", "earring", "Au585", 20, False, [], "3.300", "2400.00"),
    ("E-AG925-001", "925 銀鋯石耳釘 Silver CZ studs", "earring", "Ag925", 12, False, [("cz", 2, "0.100")], "1.100", "120.00"),
    ("N-AU750-001", "18K 金網鏈 Mesh chain necklace 45cm", "necklace", "Au750", 30, False, [], "6.800", "8200.00"),
    ("N-AU750-002", "18K 金鑽石項鍊 Riviera diamond necklace", "necklace", "Au750", 50, False, [("diamond", 40, "0.050")], "12.500", "58000.00"),
    ("N-AU999-001", "足金古法項鍊 24K heritage chain", "necklace", "Au999", 35, False, [], "18.000", "11200.00"),
    ("N-AG925-001", "925 銀字母項鍊 Silver initial necklace", "necklace", "Ag925", 10, False, [], "3.200", "220.00"),
    ("B-AU750-001", "18K 金網球手鏈 Tennis bracelet", "bracelet", "Au750", 45, False, [("diamond", 48, "0.030")], "9.800", "39800.00"),
    ("B-AU585-001", "14K 金串珠手鏈 Bead bracelet", "bracelet", "Au585", 25, False, [], "4.200", "3500.00"),
    ("B-AG925-001", "925 銀幸運手鏈 Silver charm bracelet", "bracelet", "Ag925", 14, False, [("cz", 5, "0.030")], "8.500", "380.00"),
    ("G-AU999-001", "足金龍鳳手鐲 24K dragon-phoenix bangle", "bangle", "Au999", 40, False, [], "30.000", "18600.00"),
    ("G-AU750-001", "18K 金鑲鑽手鐲 Diamond bangle", "bangle", "Au750", 45, False, [("diamond", 20, "0.020")], "14.200", "22800.00"),
    ("G-PT950-NEW1", "Pt950 鉑金開口手鐲 Platinum open bangle (new)", "bangle", "Pt950", 55, True, [], "16.500", "19800.00"),
    ("X-AU750-001", "18K 金蝴蝶胸針 Butterfly brooch", "brooch", "Au750", 40, False, [("sapphire", 4, "0.200"), ("diamond", 30, "0.010")], "6.200", "16800.00"),
    ("X-AG925-001", "925 銀花卉胸針 Silver flower brooch", "brooch", "Ag925", 18, False, [("pearl", 3, "0.800")], "5.400", "420.00"),
    ("R-AU916-001", "22K 金素圈 22K plain band", "ring", "Au916", 18, False, [], "4.000", "2600.00"),
]

SIZES = {"ring": ["#8", "#10", "#12", "#14", "#16", "#18"], "bangle": ["54mm", "56mm", "58mm", "60mm"],
         "bracelet": ["16cm", "17cm", "18cm"], "necklace": ["40cm", "45cm", "50cm"]}

# Street addresses by country: a customer's address (and the delivery place of its orders) lies in its own country.
COUNTRY_ADDRESSES: dict[str, list[str]] = {
    "Hong Kong": ["香港九龍尖沙咀廣東道 30 號", "香港中環皇后大道中 18 號", "香港九龍旺角彌敦道 655 號",
                  "香港銅鑼灣軒尼詩道 500 號"],
    "China": ["深圳市羅湖區貝麗北路 99 號", "上海市黃浦區南京東路 200 號", "廣州市荔灣區華林玉器街 5 號",
              "北京市西城區廣安門內大街 306 號", "杭州市上城區延安路 98 號", "成都市錦江區春熙路 18 號"],
    "Taiwan": ["台北市大安區忠孝東路四段 88 號", "台中市西區公益路 161 號", "高雄市新興區中山一路 120 號"],
    "Macau": ["澳門新馬路 12 號", "澳門氹仔官也街 25 號"],
    "Singapore": ["391 Orchard Road, Singapore 238872", "2 Orchard Turn, Singapore 238801"],
    "Malaysia": ["168 Jalan Bukit Bintang, Kuala Lumpur", "30 Lebuh Pantai, George Town, Penang"],
    "Japan": ["Tokyo, Chuo-ku Ginza 4-6-16", "Osaka, Kita-ku Umeda 3-1-3"],
    "Korea": ["Seoul, Jongno-gu Jongno 3-ga 12", "Busan, Jung-gu Gwangbok-ro 55"],
    "Thailand": ["Bangkok, 919/1 Silom Road, Bang Rak", "Chiang Mai, 45 Tha Phae Road"],
    "UAE": ["Dubai, Gold Souk, Deira", "Abu Dhabi, Hamdan Street 12"],
    "UK": ["London, 25 Hatton Garden EC1N 8BQ", "Birmingham, 40 Vyse Street B18 6JY"],
    "France": ["Paris, 12 Place Vendôme 75001", "Lyon, 8 Rue de la République 69002"],
    "Italy": ["Milano, Via Montenapoleone 8", "Vicenza, Corso Palladio 45"],
    "USA": ["New York, 580 Fifth Avenue, NY 10036", "Los Angeles, 550 S Hill Street, CA 90013"],
    "Canada": ["Toronto, 220 Yonge Street, ON M5B 2H1", "Vancouver, 701 W Georgia Street, BC V7Y 1G5"],
    "Australia": ["Sydney, 368 George Street, NSW 2000", "Melbourne, 200 Bourke Street, VIC 3000"],
    "Switzerland": ["Zürich, Bahnhofstrasse 64, 8001", "Genève, Rue du Rhône 62, 1204"],
    "Belgium": ["Antwerpen, Hoveniersstraat 22, 2018", "Bruxelles, Boulevard de Waterloo 10, 1000"],
}

COUNTRY_PHONE = {"Hong Kong": "852", "China": "86", "Taiwan": "886", "Macau": "853", "Singapore": "65",
                 "Malaysia": "60", "Japan": "81", "Korea": "82", "Thailand": "66", "UAE": "971", "UK": "44",
                 "France": "33", "Italy": "39", "USA": "1", "Canada": "1", "Australia": "61", "Switzerland": "41",
                 "Belgium": "32"}

# Style prices are in HKD; an order is priced in its customer's currency (rounded rates of a recent month).
HKD_RATE = {"HKD": "1", "CNY": "0.92", "TWD": "4.1", "MOP": "1.03", "SGD": "0.17", "USD": "0.128", "JPY": "19",
            "GBP": "0.10", "EUR": "0.118"}

# A customer's name is its stem plus a company form; where the stem already names the trade (珠寶, Gold, ...), only
# the legal form is added, so no name reads "珠寶珠寶" or "Jewellery Jewellery".
TRADE_WORDS_ZH = ("珠寶", "金行", "首飾", "金舖", "銀樓", "寶石", "宝石", "鑽", "金飾", "貴金属", "珍寶", "珍珠", "金匠",
                  "金市", "婚嫁", "婚慶", "金", "寶", "珠")
TRADE_WORDS_EN = ("jewel", "gold", "gem", "diamond", "pearl", "silver", "treasure", "orafi", "schmuck", "ornament",
                  "bridal", "goldsmith", "precious", "jade", "bourse")
COMPANY_FORMS = [("珠寶有限公司", "Jewellery Ltd."), ("首飾有限公司", "Jewelry Inc."), ("金行", "Gold Co.")]
LEGAL_FORMS = [("有限公司", "Ltd."), ("有限公司", "Co., Ltd."), ("股份有限公司", "Inc.")]


def customer_names(stem_zh: str, stem_en: str, index: int) -> tuple[str, str]:
    """The customer's Chinese and English name, the company form chosen so that the trade is not named twice."""
    zh_trade = any(word in stem_zh for word in TRADE_WORDS_ZH)
    en_trade = any(word in stem_en.lower() for word in TRADE_WORDS_EN)
    zh_form = LEGAL_FORMS[index % len(LEGAL_FORMS)][0] if zh_trade else COMPANY_FORMS[index % len(COMPANY_FORMS)][0]
    en_form = LEGAL_FORMS[index % len(LEGAL_FORMS)][1] if en_trade else COMPANY_FORMS[index % len(COMPANY_FORMS)][1]
    if stem_en.endswith("."):  # "Sydney Pearl Co." already has its legal form
        return stem_zh + zh_form, stem_en
    return stem_zh + zh_form, f"{stem_en} {en_form}"


STONE_NAMES = {"diamond": "鑽石", "ruby": "紅寶石", "sapphire": "藍寶石", "emerald": "祖母綠", "pearl": "珍珠",
               "jade": "翡翠", "cz": "鋯石"}
METAL_NAMES = {"Au999": "足金", "Au916": "22K 金", "Au750": "18K 金", "Au585": "14K 金", "Pt950": "鉑金",
               "Ag925": "925 銀"}


def stone_setting(stone_type: str, count: int, carat: str) -> str:
    """How the technical department sets these stones (the phrase its opinion names)."""
    if stone_type == "pearl":
        return "針鑲（珍珠打孔上膠）peg setting"
    if stone_type == "jade":
        return "包鑲 bezel setting"
    if count == 1:
        return "六爪鑲 six-prong setting" if float(carat) >= 0.3 else "四爪鑲 four-prong setting"
    if float(carat) <= 0.02:
        return "密釘鑲（微鑲）pavé setting"
    if count <= 6:
        return "爪鑲 prong setting"
    return "槽鑲 channel setting"


SPECIAL_REQUIREMENTS = ["", "", "", "內圈刻字 LOVE，字體 Times。", "鑲石須牢固，出貨前逐件檢查。",
                        "Customer's hallmark stamped inside; gift box with logo.", "電白金（銠）兩次，光亮面。",
                        "Matte finish on band, polished on setting.", "附 GIA 證書影印本。", "獨立包裝，每件附吊牌與條碼。",
                        "交期緊急，請優先安排。", "Nickel-free for EU market; REACH declaration required."]
